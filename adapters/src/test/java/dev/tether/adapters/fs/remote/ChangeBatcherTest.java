package dev.tether.adapters.fs.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tether.adapters.fs.FileChange;
import dev.tether.adapters.fs.FileChange.Type;
import org.junit.jupiter.api.Test;

class ChangeBatcherTest {
  private static FileChange change(Type type) {
    return new FileChange(type, "/p");
  }

  @Test
  void changesOfOnePathMergeAsAClientNeedsThem() {
    assertEquals(change(Type.created), ChangeBatcher.merge(change(Type.created), change(Type.changed)));
    assertNull(ChangeBatcher.merge(change(Type.created), change(Type.deleted)), "born and gone within a batch");
    assertEquals(change(Type.changed), ChangeBatcher.merge(change(Type.deleted), change(Type.created)), "an atomic save");
    assertEquals(change(Type.deleted), ChangeBatcher.merge(change(Type.changed), change(Type.deleted)));
    assertEquals(change(Type.changed), ChangeBatcher.merge(change(Type.changed), change(Type.changed)));
    assertEquals(change(Type.created), ChangeBatcher.merge(null, change(Type.created)));
  }
}
