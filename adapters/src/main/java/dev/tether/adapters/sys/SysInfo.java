package dev.tether.adapters.sys;

import java.util.List;

/** What the agent tells about itself and its host in answer to {@code sys/info}. */
public final class SysInfo {
  public String agentVersion;
  public int protocolMajor;
  public int protocolMinor;
  /** Channel kinds this agent serves, e.g. ["sys","lsp","fs.read"]. */
  public List<String> capabilities;
  public String os;
  public String arch;
  public String user;
  public String home;
  public String shell;
  public long pid;
  public String javaVersion;
  public String logFile;
}
