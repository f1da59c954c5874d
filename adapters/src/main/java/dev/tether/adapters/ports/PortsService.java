package dev.tether.adapters.ports;

import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;

/** The agent's {@code ports} channel (JSON-RPC over a message channel). Documented in docs/PORTS.md. */
public interface PortsService {
  /** The host's listening TCP sockets (IPv4 and IPv6), with the process owning each where visible. */
  @JsonRequest("ports/list")
  CompletableFuture<PortList> list();
}
