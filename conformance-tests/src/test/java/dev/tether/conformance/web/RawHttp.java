package dev.tether.conformance.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP/1.1 request written byte for byte, as a hostile page or script could send it (any Host,
 * Origin, Cookie), and the status, headers and body that came back. For a 101 the body is not read.
 */
record RawHttp(int status, Map<String, String> headers, String body) {
  static RawHttp get(int port, String path, Map<String, String> headers) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      Map<String, String> all = new LinkedHashMap<>();
      all.put("Host", "127.0.0.1:" + port);
      all.putAll(headers);
      if (!all.containsKey("Upgrade")) {
        all.put("Connection", "close");
      }
      StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
      all.forEach((name, value) -> {
        if (value != null) {
          request.append(name).append(": ").append(value).append("\r\n");
        }
      });
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String statusLine = line(in);
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> response = new LinkedHashMap<>();
      for (String line; !(line = line(in)).isEmpty(); ) {
        int colon = line.indexOf(':');
        response.put(line.substring(0, colon).toLowerCase(), line.substring(colon + 1).strip());
      }
      if (status == 101) {
        return new RawHttp(status, response, "");
      }
      int length = Integer.parseInt(response.getOrDefault("content-length", "-1"));
      byte[] body = length >= 0 ? in.readNBytes(length) : in.readAllBytes();
      return new RawHttp(status, response, new String(body, StandardCharsets.UTF_8));
    }
  }

  /** An upgrade to a WebSocket at {@code /session}, with these extra headers. */
  static RawHttp upgrade(int port, Map<String, String> headers) throws IOException {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Upgrade", "websocket");
    all.put("Connection", "Upgrade");
    all.put("Sec-WebSocket-Version", "13");
    all.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    all.put("Sec-WebSocket-Protocol", "tether.v1");
    all.putAll(headers);
    return get(port, "/session", all);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new IOException("the server closed mid-answer");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
