package dev.tether.adapters.ext;

import java.util.ArrayList;
import java.util.List;

/**
 * The answer of {@code ext/list} (on a {@code sys} channel): a workspace's declared extensions and
 * the problems of the entries that cannot be opened. Nothing is started to make it.
 */
public final class ExtensionList {
  /** The manifest's absolute path on the host. */
  public String manifest;
  /** False when the workspace has no manifest (then it declares nothing). */
  public boolean exists;
  public List<Item> extensions = new ArrayList<>();
  /** One line per bad entry, naming the file and the field. */
  public List<String> problems = new ArrayList<>();

  /** One usable entry. */
  public static final class Item {
    public String name;
    public List<String> argv;
    public String cwd;
    public String framing;
  }

  /** Parameters of {@code ext/list}: the workspace directory on the host (absolute). */
  public static final class Params {
    public String workspace;

    public Params() {}

    public Params(String workspace) {
      this.workspace = workspace;
    }
  }

  /** What {@code manifest} declares, as the answer carries it. */
  public static ExtensionList of(ExtensionManifest manifest) {
    ExtensionList list = new ExtensionList();
    list.manifest = manifest.file().toString();
    list.exists = manifest.exists();
    for (ExtensionManifest.Entry entry : manifest.entries()) {
      Item item = new Item();
      item.name = entry.name();
      item.argv = entry.argv();
      item.cwd = entry.cwd();
      item.framing = entry.framing().wireName();
      list.extensions.add(item);
    }
    list.problems.addAll(manifest.problems());
    return list;
  }
}
