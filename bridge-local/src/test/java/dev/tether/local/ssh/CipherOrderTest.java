package dev.tether.local.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;
import org.junit.jupiter.api.Test;

/** The client offers the ciphers the JDK runs on AES instructions first, and still offers every other one. */
class CipherOrderTest {
  @Test
  void aesGcmAndCtrComeFirstAndNothingIsDropped() {
    List<NamedFactory<Cipher>> defaults = SshClient.setUpDefaultClient().getCipherFactories();
    List<NamedFactory<Cipher>> ordered = SshConnector.fastCiphersFirst(defaults);
    List<String> names = ordered.stream().map(NamedFactory::getName).toList();
    assertEquals(List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr"),
        names.subList(0, 5), "offered order: " + names);
    assertEquals(new HashSet<>(defaults), new HashSet<>(ordered), "the same ciphers, reordered");
  }
}
