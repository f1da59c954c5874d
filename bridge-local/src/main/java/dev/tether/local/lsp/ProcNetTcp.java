package dev.tether.local.lsp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Who owns a local TCP socket, from Linux's {@code /proc/net/tcp} and {@code /proc/net/tcp6}: the
 * entry whose local and remote address and port are those given carries the owner's uid.
 *
 * <p>The kernel prints each address as the 32-bit words of the address in host byte order, in hex,
 * and the port as a hex number; an IPv4 peer of an IPv6 socket appears as {@code ::ffff:a.b.c.d}.
 */
final class ProcNetTcp {
  static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

  private ProcNetTcp() {}

  /** Whether this system has the tables (Linux). */
  static boolean available() {
    return Files.isReadable(TABLES.get(0));
  }

  /**
   * The uid owning the socket whose local end is {@code local} and whose remote end is {@code remote},
   * or empty when no table lists it.
   */
  static OptionalInt ownerOf(InetSocketAddress local, InetSocketAddress remote) throws IOException {
    for (Path table : TABLES) {
      if (!Files.isReadable(table)) {
        continue;
      }
      OptionalInt uid = ownerOf(Files.readAllLines(table), local, remote);
      if (uid.isPresent()) {
        return uid;
      }
    }
    return OptionalInt.empty();
  }

  /** {@link #ownerOf(InetSocketAddress, InetSocketAddress)} over the lines of one table. */
  static OptionalInt ownerOf(List<String> lines, InetSocketAddress local, InetSocketAddress remote) {
    for (String line : lines) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length < 8 || !fields[0].endsWith(":")) {
        continue; // the heading
      }
      try {
        if (same(parse(fields[1]), local) && same(parse(fields[2]), remote)) {
          return OptionalInt.of(Integer.parseInt(fields[7]));
        }
      } catch (IllegalArgumentException | UnknownHostException unreadable) {
        // not an entry we can read: not ours
      }
    }
    return OptionalInt.empty();
  }

  private static boolean same(InetSocketAddress a, InetSocketAddress b) {
    return a.getPort() == b.getPort() && unmapped(a.getAddress()).equals(unmapped(b.getAddress()));
  }

  private static InetAddress unmapped(InetAddress address) {
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = b[i] == 0;
      }
      if (mapped) {
        try {
          return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
          throw new IllegalStateException(e); // four bytes always make an address
        }
      }
    }
    return address;
  }

  /** {@code 0100007F:1F90} (or 32 hex digits for IPv6) to an address and port. */
  static InetSocketAddress parse(String field) throws UnknownHostException {
    int colon = field.indexOf(':');
    String hex = field.substring(0, colon);
    if (hex.length() != 8 && hex.length() != 32) {
      throw new IllegalArgumentException("not an address: " + field);
    }
    ByteBuffer bytes = ByteBuffer.allocate(hex.length() / 2);
    for (int word = 0; word < hex.length(); word += 8) {
      int value = Integer.parseUnsignedInt(hex.substring(word, word + 8), 16);
      bytes.putInt(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(value) : value);
    }
    InetAddress address = InetAddress.getByAddress(bytes.array());
    return new InetSocketAddress(address, Integer.parseInt(field.substring(colon + 1), 16));
  }
}
