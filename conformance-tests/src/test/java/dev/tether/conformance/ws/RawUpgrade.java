package dev.tether.conformance.ws;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An upgrade request written byte for byte, as an attacker's page or script would send it (any Host,
 * Origin or query string), and the status line and headers that came back. The socket stays open
 * for a 101, until closed.
 */
final class RawUpgrade implements AutoCloseable {
  final int status;
  final Map<String, String> headers = new LinkedHashMap<>();
  private final Socket socket;

  private RawUpgrade(Socket socket, int status) {
    this.socket = socket;
    this.status = status;
  }

  static RawUpgrade send(int port, String path, Map<String, String> headers) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(30_000);
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Host", "127.0.0.1:" + port);
    all.put("Upgrade", "websocket");
    all.put("Connection", "Upgrade");
    all.put("Sec-WebSocket-Version", "13");
    all.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    all.putAll(headers);
    all.forEach((name, value) -> {
      if (value != null) {
        request.append(name).append(": ").append(value).append("\r\n");
      }
    });
    request.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    String statusLine = in.readLine();
    if (statusLine == null) {
      socket.close();
      throw new IOException("the server closed without an answer");
    }
    RawUpgrade response = new RawUpgrade(socket, Integer.parseInt(statusLine.split(" ")[1]));
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      response.headers.put(line.substring(0, colon).toLowerCase(), line.substring(colon + 1).strip());
    }
    return response;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
