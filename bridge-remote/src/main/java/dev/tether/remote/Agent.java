package dev.tether.remote;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.Version;
import dev.tether.adapters.catalog.ServerCatalog;
import dev.tether.adapters.dap.remote.DebugAdapterHost;
import dev.tether.adapters.exec.remote.ExecHost;
import dev.tether.adapters.fs.remote.FileReadHost;
import dev.tether.adapters.sys.remote.SysHost;
import dev.tether.adapters.ext.remote.ExtensionHost;
import dev.tether.adapters.fs.remote.FileWriteHost;
import dev.tether.adapters.fs.remote.FsHost;
import dev.tether.adapters.fs.remote.SearchHost;
import dev.tether.adapters.fs.remote.WatchHost;
import dev.tether.adapters.lsp.remote.LanguageServerHost;
import dev.tether.adapters.ports.remote.PortsHost;
import dev.tether.adapters.ports.remote.ProcNet;
import dev.tether.adapters.ports.remote.TcpConnectHost;
import dev.tether.adapters.ports.remote.TcpListenHost;
import dev.tether.adapters.terminal.remote.TerminalHost;
import dev.tether.remote.testpeer.TestPeerCatalog;
import dev.tether.mux.ChannelAcceptor;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionListener;
import dev.tether.mux.SessionRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent: accepts sessions and serves each channel kind with its remote half. One agent serves
 * any number of sessions (the registry also resumes them).
 */
public final class Agent {
  private final SessionRegistry registry;
  private final LanguageServerHost languageServers;
  private final DebugAdapterHost debugAdapters;
  private final FileReadHost files = new FileReadHost();
  private final TcpConnectHost tcpConnect = new TcpConnectHost();
  private final TcpListenHost tcpListen = new TcpListenHost();
  private final PortsHost ports = new PortsHost(ProcNet.system());
  private final FsHost fs = new FsHost();
  private final FileWriteHost fileWrites = new FileWriteHost();
  private final WatchHost watches = new WatchHost();
  private final SearchHost searches = new SearchHost();
  private final SysHost sys;
  private final TerminalHost terminals = new TerminalHost();
  private final ExecHost processes = new ExecHost();
  private final ExtensionHost extensions;
  private final Map<String, ChannelAcceptor> services;

  public Agent(Path logFile, ServerCatalog catalog, SessionListener listener, Duration detachedTimeout) {
    SessionConfig config = SessionConfig.defaults()
        .withName("agent")
        .withAgent("tether-remote/" + Version.current())
        .withDetachedTimeout(detachedTimeout)
        .withListener(endingSessionServices(listener));
    ServerCatalog served = TestPeerCatalog.addTo(catalog); // sys (tether doctor) lists the user's catalog only
    this.languageServers = new LanguageServerHost(served, config.maxMessageSize());
    this.debugAdapters = new DebugAdapterHost(served, config.maxMessageSize());
    this.extensions = new ExtensionHost(config.maxMessageSize());
    this.sys = new SysHost(TetherRemote.home(), logFile, this::capabilities, catalog, this::abandonDetached);
    this.services = services();
    this.registry = new SessionRegistry(config.withAcceptor(this::dispatch));
  }

  public SessionRegistry registry() {
    return registry;
  }

  public LanguageServerHost languageServers() {
    return languageServers;
  }

  /** Every channel kind this agent serves, with its remote half; one line per kind. */
  private Map<String, ChannelAcceptor> services() {
    Map<String, ChannelAcceptor> services = new LinkedHashMap<>();
    services.put(ChannelKinds.SYS, sys::open);
    services.put(ChannelKinds.LSP, languageServers::open);
    services.put(ChannelKinds.DAP, debugAdapters::open);
    services.put(ChannelKinds.FS_READ, files::open);
    services.put(ChannelKinds.FS_STAT, files::stat);
    services.put(ChannelKinds.TCP_CONNECT, tcpConnect::open);
    services.put(ChannelKinds.TCP_LISTEN, tcpListen::listen);
    services.put(ChannelKinds.TCP_ACCEPTED, tcpListen::accepted);
    services.put(ChannelKinds.PORTS, ports::open);
    services.put(ChannelKinds.FS, fs::open);
    services.put(ChannelKinds.FS_WRITE, fileWrites::open);
    services.put(ChannelKinds.FS_WATCH, watches::open);
    services.put(ChannelKinds.FS_SEARCH, searches::open);
    services.put(ChannelKinds.TERMINAL, terminals::open);
    services.put(ChannelKinds.TERMINAL_IO, terminals::attach);
    services.put(ChannelKinds.EXEC, processes::open);
    services.put(ChannelKinds.EXEC_IO, processes::stream);
    services.put(ChannelKinds.EXT, extensions::open);
    return services;
  }

  /** Terminals and processes live as long as their session: end them when it closes for good. */
  private SessionListener endingSessionServices(SessionListener listener) {
    return new SessionListener() {
      @Override
      public void onDetached(Session session, String reason) {
        listener.onDetached(session, reason);
      }

      @Override
      public void onResumed(Session session) {
        listener.onResumed(session);
      }

      @Override
      public void onClosed(Session session, ErrorCode code, String reason) {
        terminals.sessionClosed(session);
        processes.sessionClosed(session);
        listener.onClosed(session, code, reason);
      }
    };
  }

  /**
   * Closes the detached sessions among {@code ids}, whose local daemon is gone (its successor says
   * so): their channels close, which ends their language servers, terminals and processes.
   */
  private int abandonDetached(List<String> ids) {
    int closed = 0;
    for (Session session : registry.sessions()) {
      if (ids.contains(session.id()) && session.state() == Session.State.DETACHED) {
        session.close(ErrorCode.NO_ERROR, "its local daemon is gone (a new one closed the session)");
        closed++;
      }
    }
    return closed;
  }

  private List<String> capabilities() {
    return List.copyOf(services.keySet());
  }

  private void dispatch(OpenRequest request) throws Exception {
    ChannelAcceptor service = services.get(request.kind());
    if (service == null) {
      request.reject(ErrorCode.CHANNEL_REFUSED, "tether-remote " + Version.current()
          + " does not serve channel kind '" + request.kind() + "' (it serves " + String.join(", ", services.keySet())
          + ")");
      return;
    }
    service.onOpen(request);
  }

  /** For channel acceptors that want the agent as a plain acceptor. */
  ChannelAcceptor acceptor() {
    return this::dispatch;
  }
}
