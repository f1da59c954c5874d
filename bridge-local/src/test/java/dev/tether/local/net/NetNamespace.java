package dev.tether.local.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test or a benchmark makes, joined to its maker's namespace by a veth pair on a /30
 * of 10.213.0.0/16 that no interface or route here uses; packet loss and a blackhole are nftables
 * rules inside the namespace ({@code numgen random} drops, or drop everything), so they touch only
 * the namespace's traffic. {@link #close} deletes the namespace, which takes the veth pair and the
 * rules with it. Needs root (CAP_NET_ADMIN), {@code ip} (iproute2) and {@code nft} (nftables).
 *
 * <p>Why nftables and not {@code tc netem}: netem is a kernel module many kernels (this machine's
 * among them) do not have, while nf_tables is everywhere; latency comes from {@link CutProxy}.
 */
public final class NetNamespace implements AutoCloseable {
  private static final String PREFIX = "tether-net-";

  public final String name;
  public final String outside;
  public final String inside;
  private final String veth;

  private NetNamespace(String name, String veth, String outside, String inside) {
    this.name = name;
    this.veth = veth;
    this.outside = outside;
    this.inside = inside;
  }

  /** Makes the namespace, or fails saying what is missing (root, ip, nft). */
  public static NetNamespace create() throws IOException {
    requireRootAndTools();
    removeStale();
    long pid = ProcessHandle.current().pid();
    String name = PREFIX + pid;
    String veth = "tf" + pid;
    int subnet = freeSubnet((int) (pid % 64) * 4);
    String outside = "10.213." + subnet + ".1";
    String inside = "10.213." + subnet + ".2";
    NetNamespace ns = new NetNamespace(name, veth, outside, inside);
    try {
      run("ip", "netns", "add", name);
      run("ip", "link", "add", veth + "a", "type", "veth", "peer", "name", veth + "b");
      run("ip", "link", "set", veth + "b", "netns", name);
      run("ip", "addr", "add", outside + "/30", "dev", veth + "a");
      run("ip", "link", "set", veth + "a", "up");
      run("ip", "-n", name, "addr", "add", inside + "/30", "dev", veth + "b");
      run("ip", "-n", name, "link", "set", veth + "b", "up");
      run("ip", "-n", name, "link", "set", "lo", "up");
      nft(name, "add table inet tethernet\n"
          + "add chain inet tethernet in { type filter hook input priority 0; policy accept; }\n"
          + "add chain inet tethernet out { type filter hook output priority 0; policy accept; }\n");
    } catch (IOException | RuntimeException e) {
      ns.close();
      throw e;
    }
    return ns;
  }

  /** Drops {@code percent} % of the packets entering and of those leaving the namespace, at random. */
  public void loss(int percent) throws IOException {
    nft(name, "flush chain inet tethernet in\nflush chain inet tethernet out\n"
        + "add rule inet tethernet in numgen random mod 100 < " + percent + " drop\n"
        + "add rule inet tethernet out numgen random mod 100 < " + percent + " drop\n");
  }

  /** Drops every packet in and out: the path is gone, without a reset or an unreachable to tell anyone. */
  public void blackhole() throws IOException {
    nft(name, "flush chain inet tethernet in\nflush chain inet tethernet out\n"
        + "add rule inet tethernet in drop\nadd rule inet tethernet out drop\n");
  }

  @Override
  public void close() {
    try {
      run("ip", "netns", "del", name);
    } catch (IOException | RuntimeException ignored) {
      // not made, or gone already
    }
    try {
      run("ip", "link", "del", veth + "a");
    } catch (IOException | RuntimeException ignored) {
      // went with the namespace
    }
  }

  private static void requireRootAndTools() throws IOException {
    String status = Files.readString(Path.of("/proc/self/status"));
    boolean root = status.lines().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
    if (!root) {
      throw new AssertionError("a network namespace (the fault suite's bad network, the network benchmark) needs root "
          + "(CAP_NET_ADMIN): run as root (the CI's container does)");
    }
    for (String tool : List.of("/usr/sbin/ip", "/usr/sbin/nft")) {
      if (!Files.isExecutable(Path.of(tool))) {
        throw new AssertionError(tool + " is missing: apt-get install -y iproute2 nftables");
      }
    }
  }

  /** Namespaces of earlier runs whose test JVM died before deleting them. */
  private static void removeStale() throws IOException {
    for (String line : run("ip", "netns", "list").lines().toList()) {
      String ns = line.split(" ")[0];
      if (ns.startsWith(PREFIX)) {
        long pid = Long.parseLong(ns.substring(PREFIX.length()));
        if (ProcessHandle.of(pid).isEmpty()) {
          run("ip", "netns", "del", ns);
        }
      }
    }
  }

  /** The first 10.213.N.0/30 (N from {@code start}) that no address or route here mentions. */
  private static int freeSubnet(int start) throws IOException {
    String used = run("ip", "-o", "-4", "addr") + run("ip", "-4", "route");
    for (int i = 0; i < 256; i++) {
      int n = (start + i) % 256;
      if (!used.contains("10.213." + n + ".")) {
        return n;
      }
    }
    throw new AssertionError("no free 10.213.N.0/30 for the test's namespace");
  }

  private static void nft(String namespace, String script) throws IOException {
    Path file = Files.createTempFile("tether-fault-nft-", ".nft");
    try {
      Files.writeString(file, script);
      run("ip", "netns", "exec", namespace, "nft", "-f", file.toString());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  public static String run(String... command) throws IOException {
    Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + out.strip());
    }
    return out;
  }
}
