package dev.tether.mux.transport;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A reliable, ordered byte stream in both directions: all the session needs from SSH, WebSocket, a
 * process's pipes or a socket. The session reads {@link #input()} on one thread and writes
 * {@link #output()} on another.
 */
public interface Transport extends Closeable {
  InputStream input();

  OutputStream output();

  /**
   * Closes both directions and unblocks a thread blocked reading {@link #input()}. Idempotent; must not
   * throw.
   */
  @Override
  void close();

  /** For logs and user messages, e.g. "ssh alice@build-box" or "loopback 127.0.0.1:4000". */
  String description();
}
