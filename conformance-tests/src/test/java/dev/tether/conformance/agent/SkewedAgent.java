package dev.tether.conformance.agent;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.sys.SysInfo;
import dev.tether.adapters.sys.SysService;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionRegistry;
import dev.tether.mux.Workers;
import dev.tether.mux.jsonrpc.LspStreams;
import dev.tether.mux.transport.StreamTransport;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.jsonrpc.Launcher;

/**
 * An agent that speaks the session protocol but reports another version in {@code sys/info}: run as
 * a child process (through {@code --via}) to prove the local side refuses version skew clearly.
 */
public final class SkewedAgent {
  interface NoCalls {}

  public static void main(String[] args) throws Exception {
    SysService skewed = new SysService() {
      @Override
      public CompletableFuture<SysInfo> info() {
        SysInfo info = new SysInfo();
        info.agentVersion = "0.0.1-old";
        return CompletableFuture.completedFuture(info);
      }

      @Override
      public CompletableFuture<List<String>> log(LogRequest request) {
        return CompletableFuture.completedFuture(List.of());
      }

      @Override
      public CompletableFuture<List<ServerPresence>> servers() {
        return CompletableFuture.completedFuture(List.of());
      }

      @Override
      public CompletableFuture<Integer> abandon(AbandonRequest request) {
        return CompletableFuture.completedFuture(0);
      }
    };
    SessionRegistry registry = new SessionRegistry(SessionConfig.defaults().withAcceptor(request -> {
      if (!request.kind().equals(ChannelKinds.SYS)) {
        request.reject(ErrorCode.CHANNEL_REFUSED, "skewed agent serves only sys");
        return;
      }
      var channel = request.accept();
      new Launcher.Builder<NoCalls>().setLocalService(skewed).setRemoteInterface(NoCalls.class)
          .setInput(LspStreams.input(channel)).setOutput(LspStreams.output(channel, 1 << 20))
          .setExecutorService(Workers.shared()).create().startListening();
    }));
    var session = registry.accept(new StreamTransport(new FileInputStream(FileDescriptor.in),
        new FileOutputStream(FileDescriptor.out), "stdio"));
    while (session.state() != dev.tether.mux.Session.State.CLOSED) {
      Thread.sleep(100); // a throwaway test agent: exits when the session ends
    }
  }
}
