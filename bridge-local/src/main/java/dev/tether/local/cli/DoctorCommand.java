package dev.tether.local.cli;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.Version;
import dev.tether.adapters.sys.SysInfo;
import dev.tether.adapters.sys.SysService;
import dev.tether.adapters.sys.SysService.ServerPresence;
import dev.tether.adapters.sys.SysClient;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ChannelOpenException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tether doctor DESTINATION}: checks, step by step, what using a host needs (the daemon, the
 * connection and agent bootstrap, the agent's facts, round-trip time, which catalog servers the host
 * has) and says what is missing. Exit 0 when the host is usable, 1 (or 255 for SSH) when not.
 */
@Command(name = "doctor", description = "Check DESTINATION step by step: daemon, connection, agent, round trip, servers on the host.")
final class DoctorCommand implements Callable<Integer> {
  private static final int ROUND_TRIPS = 5;

  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION", description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    try (DaemonClient daemon = Daemons.connect()) {
      String pid = daemon.control("status").get("pid").getAsString();
      line(out, "daemon", "ok", "tether daemon " + Version.current() + ", pid " + pid);
      Channel channel;
      try {
        channel = daemon.openRemote(connection.spec(destination), ChannelKinds.SYS, ChannelFlavour.MESSAGES, "");
      } catch (ChannelOpenException e) {
        line(out, "connection", "FAILED", e.reason());
        out.flush();
        throw new dev.tether.local.TetherException("cannot use " + destination + ": " + e.reason());
      }
      try {
        line(out, "connection", "ok", String.format("%s reached in %.2f s (bootstrap included)", destination,
            (System.nanoTime() - started) / 1e9));
        line(out, "agent route", "ok", route(daemon, connection.spec(destination).key()));
        SysService sys = SysClient.over(channel);
        SysInfo info = await(sys.info());
        line(out, "agent", "ok", String.format("tether-remote %s (protocol %d.%d), pid %d, Java %s, %s %s",
            info.agentVersion, info.protocolMajor, info.protocolMinor, info.pid, info.javaVersion, info.os, info.arch));
        line(out, "host user", "ok", info.user + ", home " + info.home + ", shell " + info.shell);
        line(out, "agent log", "", info.logFile + " (on the host)");
        line(out, "round trip", "ok", roundTrips(sys));
        servers(out, await(sys.servers()));
      } finally {
        channel.close();
      }
    }
    return 0;
  }

  /** How the daemon's session reaches the agent on the host: straight to its socket, or why through a relay. */
  private static String route(DaemonClient daemon, String key) throws IOException {
    for (com.google.gson.JsonElement element : daemon.control("status").getAsJsonArray("sessions")) {
      com.google.gson.JsonObject session = element.getAsJsonObject();
      if (session.has("key") && key.equals(session.get("key").getAsString()) && session.has("route")) {
        return session.get("route").getAsString();
      }
    }
    return "(the daemon no longer holds this session)";
  }

  private static String roundTrips(SysService sys) throws IOException {
    long[] nanos = new long[ROUND_TRIPS];
    for (int i = 0; i < ROUND_TRIPS; i++) {
      long t0 = System.nanoTime();
      await(sys.info());
      nanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(nanos);
    return String.format("median %.2f ms over %d sys/info requests (min %.2f, max %.2f)", nanos[ROUND_TRIPS / 2] / 1e6,
        ROUND_TRIPS, nanos[0] / 1e6, nanos[ROUND_TRIPS - 1] / 1e6);
  }

  private static void servers(PrintWriter out, List<ServerPresence> servers) {
    List<String> missing = new ArrayList<>();
    for (ServerPresence server : servers) {
      String what = server.kind.equals("debugAdapter") ? "debug adapter" : "language server";
      if (server.path != null) {
        line(out, what, "ok", server.name + ": " + String.join(" ", server.command) + " (" + server.path + ")");
      } else {
        missing.add(server.name + " (" + server.command.get(0) + ")");
      }
    }
    if (!missing.isEmpty()) {
      line(out, "not found", "", String.join(", ", missing)
          + ": not on the agent's PATH; install the ones you use on the host, or name their full path in "
          + "~/.config/tether/servers.json there");
    }
  }

  private static void line(PrintWriter out, String step, String verdict, String detail) {
    out.printf("%-16s %-7s %s%n", step, verdict, detail);
    out.flush();
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future) throws IOException {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    } catch (ExecutionException e) {
      throw new IOException("the agent failed to answer: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("the agent did not answer within 30 s");
    }
  }
}
