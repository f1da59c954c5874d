package dev.tether.remote.testpeer;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.tether.mux.jsonrpc.BaseProtocol;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@code tether-remote test-peer lsp|dap}: a scripted language server or debug adapter on stdio, which
 * only the conformance suite starts ({@code tether conformance --only lsp|dap}, through the catalog
 * name {@link TestPeerCatalog#NAME}). It does nothing of its own: each request says what to do (echo
 * the bytes received, send given messages, hold a request until it is cancelled, send 64 MiB, crash),
 * so the checks on the editor's side know exactly what the peer sent and can ask what it received.
 * Nothing but protocol is written to stdout; a line on stderr (the agent log) says why it exits.
 *
 * <p>Threading: one thread reads stdin and handles each message in order; writes are serialized.
 */
public abstract class TestPeer {
  /** The largest message either side of the bridge accepts (PROTOCOL.md §5, DESIGN.md). */
  static final int MAX_MESSAGE = 64 * 1024 * 1024;
  /** Messages above this are not parsed into a tree, only peeked at. */
  static final int SMALL = 1 << 20;
  static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  private final OutputStream out;

  TestPeer(OutputStream out) {
    this.out = out;
  }

  /** Runs the peer named by {@code args[1]} on this process's stdin and stdout; returns the exit status. */
  public static int run(String[] args) throws IOException {
    if (args.length != 2 || !(args[1].equals("lsp") || args[1].equals("dap"))) {
      throw new IllegalArgumentException("test-peer needs lsp or dap");
    }
    OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    TestPeer peer = args[1].equals("lsp") ? new LspTestPeer(stdout) : new DapTestPeer(stdout);
    return peer.serve(new FileInputStream(FileDescriptor.in));
  }

  /** Handles every message until stdin ends (or a message says to exit). */
  int serve(InputStream in) throws IOException {
    BaseProtocol.Reader reader = new BaseProtocol.Reader(in, MAX_MESSAGE);
    byte[] body;
    while ((body = reader.read()) != null) {
      handle(body);
    }
    System.err.println("tether-remote test-peer: input ended");
    return 0;
  }

  abstract void handle(byte[] body) throws IOException;

  final synchronized void write(byte[] body) throws IOException {
    BaseProtocol.write(out, body);
  }

  final void write(JsonObject message) throws IOException {
    write(GSON.toJson(message).getBytes(StandardCharsets.UTF_8));
  }

  /** Exits at once with {@code status} and a line on stderr, as a crashing server would. */
  static void crash(int status) {
    System.err.println("tether-remote test-peer: crashing on request with status " + status);
    System.err.flush();
    Runtime.getRuntime().halt(status);
  }

  static String base64(byte[] body) {
    return Base64.getEncoder().encodeToString(body);
  }

  static byte[] unbase64(String text) {
    return Base64.getDecoder().decode(text);
  }
}
