package dev.tether.conformance.cli;

import dev.tether.adapters.catalog.ServerCatalog;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.Session;
import dev.tether.mux.SessionListener;
import dev.tether.mux.transport.StreamTransport;
import dev.tether.remote.Agent;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The real agent, run through {@code --via}, whose catalog entry {@code tether-test-peer} (a user's
 * {@code servers.json} may take the name) is a {@link MangledPeer}: the test peer behind a relay that
 * does what a careless bridge would. {@code tether conformance --only lsp --only dap} must say FAIL,
 * and why.
 */
public final class MangledAgent {
  public static void main(String[] args) throws Exception {
    OutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
    System.setOut(System.err); // nothing but protocol on stdout
    Path catalog = Files.createTempFile("tether-mangled-catalog-", ".json");
    catalog.toFile().deleteOnExit();
    Files.writeString(catalog, "{\"languageServers\": {\"tether-test-peer\": {\"command\": " + MangledPeer.command("lsp")
        + "}}, \"debugAdapters\": {\"tether-test-peer\": {\"command\": " + MangledPeer.command("dap") + "}}}");
    CountDownLatch closed = new CountDownLatch(1);
    SessionListener endOnLoss = new SessionListener() {
      @Override
      public void onDetached(Session session, String reason) {
        session.close(ErrorCode.NO_ERROR, "stdio transport ended: " + reason);
      }

      @Override
      public void onClosed(Session session, ErrorCode code, String reason) {
        closed.countDown();
      }
    };
    Agent agent = new Agent(catalog.resolveSibling("tether-mangled-agent.log"), ServerCatalog.load(catalog), endOnLoss,
        Duration.ofMinutes(1));
    agent.registry().accept(new StreamTransport(new FileInputStream(FileDescriptor.in), protocolOut, "stdio"));
    closed.await();
    agent.languageServers().awaitAllStopped(Duration.ofSeconds(10));
    System.exit(0);
  }
}
