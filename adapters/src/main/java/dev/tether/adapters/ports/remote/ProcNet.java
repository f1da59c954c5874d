package dev.tether.adapters.ports.remote;

import dev.tether.adapters.ports.ListeningSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the host's LISTEN sockets from {@code /proc/net/tcp} and {@code /proc/net/tcp6} (Linux), and
 * finds each socket's process by its inode: {@code /proc/PID/fd/N} links read {@code socket:[INODE]}.
 * Processes of other users are not readable without privileges; their sockets are listed without pid.
 */
public final class ProcNet {
  /** {@code st} column value of TCP_LISTEN. */
  static final String LISTEN = "0A";

  private final Path proc;

  public ProcNet(Path proc) {
    this.proc = proc;
  }

  public static ProcNet system() {
    return new ProcNet(Path.of("/proc"));
  }

  /** Every listening socket, IPv4 then IPv6, ordered by port, with owners where visible. */
  public List<ListeningSocket> listening() throws IOException {
    List<ListeningSocket> sockets = new ArrayList<>();
    for (String protocol : List.of("tcp", "tcp6")) {
      Path table = proc.resolve("net").resolve(protocol);
      if (Files.isReadable(table)) {
        sockets.addAll(parse(protocol, Files.readAllLines(table, StandardCharsets.US_ASCII)));
      }
    }
    Map<Long, Long> owners = socketOwners();
    for (ListeningSocket socket : sockets) {
      Long pid = owners.get(socket.inode);
      if (pid != null) {
        socket.pid = pid;
        socket.command = command(pid);
      }
    }
    sockets.sort((a, b) -> a.port != b.port ? Integer.compare(a.port, b.port) : a.protocol.compareTo(b.protocol));
    return sockets;
  }

  /** The LISTEN rows of one table; the first line is the header. */
  static List<ListeningSocket> parse(String protocol, List<String> lines) {
    List<ListeningSocket> sockets = new ArrayList<>();
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 10 || !f[3].equals(LISTEN)) {
        continue;
      }
      int colon = f[1].indexOf(':');
      ListeningSocket socket = new ListeningSocket();
      socket.protocol = protocol;
      socket.address = address(f[1].substring(0, colon));
      socket.port = Integer.parseInt(f[1].substring(colon + 1), 16);
      socket.uid = Integer.parseInt(f[7]);
      socket.inode = Long.parseLong(f[9]);
      sockets.add(socket);
    }
    return sockets;
  }

  /**
   * The kernel prints each 32-bit word of the address in host byte order (little-endian on the
   * machines we run on): {@code 0100007F} is 127.0.0.1.
   */
  static String address(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = word * 8 + (3 - i) * 2;
        bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    try {
      String text = InetAddress.getByAddress(bytes).getHostAddress();
      return text.equals("0:0:0:0:0:0:0:0") ? "::" : text.equals("0:0:0:0:0:0:0:1") ? "::1" : text;
    } catch (UnknownHostException e) {
      return hex; // cannot happen for 4 or 16 bytes
    }
  }

  /** socket inode → pid, over every process whose fd directory we may read. */
  private Map<Long, Long> socketOwners() {
    Map<Long, Long> owners = new HashMap<>();
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, p -> isNumber(p.getFileName().toString()))) {
      for (Path process : processes) {
        long pid = Long.parseLong(process.getFileName().toString());
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
          for (Path fd : fds) {
            try {
              String target = Files.readSymbolicLink(fd).toString();
              if (target.startsWith("socket:[")) {
                owners.putIfAbsent(Long.parseLong(target.substring(8, target.length() - 1)), pid);
              }
            } catch (IOException | RuntimeException gone) {
              // the fd closed while we looked
            }
          }
        } catch (IOException | RuntimeException notOurs) {
          // another user's process, or it exited
        }
      }
    } catch (IOException e) {
      return owners;
    }
    return owners;
  }

  private String command(long pid) {
    Path dir = proc.resolve(Long.toString(pid));
    try {
      byte[] cmdline = Files.readAllBytes(dir.resolve("cmdline"));
      String text = new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' ').strip();
      if (!text.isEmpty()) {
        return text;
      }
      return Files.readString(dir.resolve("comm"), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
