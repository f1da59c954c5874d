package dev.tether.local.cli;

import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.ws.WsDestination;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The ssh-style flags every command that reaches a host accepts, plus {@code --via}. */
public final class ConnectionOptions {
  /** The help text of every command's DESTINATION parameter. */
  static final String DESTINATION_HELP = "[user@]host[:port], an ssh_config alias, ssh://..., ws://HOST:PORT or"
      + " wss://HOST:PORT (tether-remote serve), or local";
  @Option(names = "-F", paramLabel = "CONFIG", description = "ssh_config file to use instead of ~/.ssh/config")
  String configFile;

  @Option(names = "-i", paramLabel = "IDENTITY", description = "private key file (repeatable)")
  List<String> identities = new ArrayList<>();

  @Option(names = "-p", paramLabel = "PORT", description = "SSH port")
  Integer port;

  @Option(names = "-J", paramLabel = "JUMP", description = "jump host(s), comma-separated (ProxyJump)")
  String jump;

  @Option(names = "-o", paramLabel = "KEY=VALUE", description = "ssh option, e.g. StrictHostKeyChecking=accept-new (repeatable)")
  List<String> options = new ArrayList<>();

  @Option(names = "--via", paramLabel = "CMD",
      description = "run the agent through CMD, any command giving its stdio (e.g. 'kubectl exec -i POD -- tether-remote stdio')")
  String via;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "ws:// and wss:// destinations: the file holding the server's token (default: TETHER_TOKEN, else ~/.tether/token)")
  String tokenFile;

  @Option(names = "--fingerprint", paramLabel = "SHA256:HEX",
      description = "wss:// destinations: trust exactly the certificate with this fingerprint (as tether-remote serve prints it)")
  String fingerprint;

  RemoteSpec spec(String destination) {
    List<String> args = new ArrayList<>();
    if (configFile != null) {
      args.addAll(List.of("-F", configFile));
    }
    for (String identity : identities) {
      args.addAll(List.of("-i", identity));
    }
    if (port != null) {
      args.addAll(List.of("-p", port.toString()));
    }
    if (jump != null) {
      args.addAll(List.of("-J", jump));
    }
    for (String option : options) {
      args.addAll(List.of("-o", option));
    }
    RemoteSpec spec = new RemoteSpec(destination, args, via);
    if (WsDestination.is(destination)) {
      WsCredentials.fill(spec, tokenFile);
      spec.fingerprint = fingerprint;
    }
    return spec;
  }
}
