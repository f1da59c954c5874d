package dev.tether.local.cli;

import dev.tether.local.daemon.HandOverHandler;
import java.nio.file.Path;

/** A command whose data path can run in the daemon, on the stdio its process handed over. */
interface HandedOver {
  /** Called in the daemon after picocli filled in the command's fields; FallBack when it cannot serve it. */
  HandOverHandler.Job handOver(Path cwd, HandOverHandler.Hosts hosts) throws HandOverHandler.FallBack;
}
