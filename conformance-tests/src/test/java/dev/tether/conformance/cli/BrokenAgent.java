package dev.tether.conformance.cli;

import dev.tether.mux.ErrorCode;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionListener;
import dev.tether.mux.SessionRegistry;
import dev.tether.mux.transport.StreamTransport;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.util.concurrent.CountDownLatch;

/**
 * A deliberately wrong agent, run through {@code --via}: it speaks the session protocol, but refuses
 * every OPEN with INTERNAL_ERROR where docs/PROTOCOL.md §10.4 says an unserved kind gets
 * CHANNEL_REFUSED. {@code tether conformance} must say FAIL, and why.
 */
public final class BrokenAgent {
  public static final String REASON = "broken on purpose";

  public static void main(String[] args) throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    SessionListener listener = new SessionListener() {
      @Override
      public void onClosed(dev.tether.mux.Session session, ErrorCode code, String reason) {
        closed.countDown();
      }
    };
    SessionRegistry registry = new SessionRegistry(SessionConfig.defaults().withListener(listener)
        .withAcceptor(request -> request.reject(ErrorCode.INTERNAL_ERROR, REASON)));
    registry.accept(new StreamTransport(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
        "stdio"));
    closed.await();
  }
}
