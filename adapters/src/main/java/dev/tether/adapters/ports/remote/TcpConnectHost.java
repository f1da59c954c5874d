package dev.tether.adapters.ports.remote;

import com.google.gson.JsonObject;
import dev.tether.adapters.ports.SocketSplice;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Remote half of {@code tcp.connect}: connects to {@code host:port} as seen from the host and splices
 * the socket to the byte channel. Without a host it tries 127.0.0.1, then ::1 (a dev server bound to
 * either loopback is found). Refusals are {@link ErrorCode#SERVICE_ERROR} with the address tried.
 */
public final class TcpConnectHost {
  static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  public void open(OpenRequest request) throws IOException {
    JsonObject meta = Metadata.object(request.metadata());
    Integer port = meta == null ? null : Metadata.port(meta, "port", 1);
    String host = meta == null ? null : Metadata.string(meta, "host");
    if (port == null) {
      request.reject(ErrorCode.CHANNEL_REFUSED,
          "tcp.connect needs metadata {\"port\": 1-65535} (and optionally \"host\"), got " + request.metadata());
      return;
    }
    List<InetAddress> candidates = new ArrayList<>();
    try {
      if (host == null || host.isBlank()) {
        candidates.add(InetAddress.getByName("127.0.0.1"));
        candidates.add(InetAddress.getByName("::1"));
      } else {
        candidates.addAll(List.of(InetAddress.getAllByName(host)));
      }
    } catch (UnknownHostException e) {
      request.reject(ErrorCode.SERVICE_ERROR, "cannot forward to " + host + ":" + port + ": the host cannot resolve '"
          + host + "'");
      return;
    }
    String shown = host == null || host.isBlank() ? "127.0.0.1:" + port + " (nor [::1]:" + port + ")" : host + ":" + port;
    for (InetAddress address : candidates) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS);
      } catch (ConnectException refused) {
        socket.close();
        continue; // next candidate
      } catch (SocketTimeoutException e) {
        socket.close();
        request.reject(ErrorCode.SERVICE_ERROR, "cannot forward to " + shown + ": connecting from the host timed out after "
            + CONNECT_TIMEOUT_MILLIS / 1000 + " s");
        return;
      } catch (IOException e) {
        socket.close();
        request.reject(ErrorCode.SERVICE_ERROR, "cannot forward to " + shown + ": " + e.getMessage());
        return;
      }
      socket.setTcpNoDelay(true);
      JsonObject ok = new JsonObject();
      ok.addProperty("host", address.getHostAddress());
      ok.addProperty("port", port);
      SocketSplice.join(socket, request.accept(ok.toString()), "tcp.connect " + address.getHostAddress() + ":" + port);
      return;
    }
    request.reject(ErrorCode.SERVICE_ERROR, "nothing listens on " + shown + " on the host (connection refused); "
        + "start the service there or check the port with 'tether ports'");
  }
}
