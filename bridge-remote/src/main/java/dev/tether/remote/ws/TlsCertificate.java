package dev.tether.remote.ws;

import dev.tether.adapters.daemon.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The endpoint's TLS key and certificate: a PKCS#12 keystore the user gives, or a self-signed one
 * made once under {@code ~/.tether/tls/} (0600, its random password beside it, 0600 too) with the
 * JDK's own {@code keytool}, so the agent carries no crypto library. Clients pin a self-signed
 * certificate by its SHA-256 fingerprint ({@code tether --fingerprint SHA256:...}).
 */
public final class TlsCertificate {
  private final KeyStore keyStore;
  private final String password;

  private TlsCertificate(KeyStore keyStore, String password) {
    this.keyStore = keyStore;
    this.password = password;
  }

  public KeyStore keyStore() {
    return keyStore;
  }

  public String password() {
    return password;
  }

  /** Loads a PKCS#12 keystore holding one private key and its certificate chain. */
  public static TlsCertificate load(Path file, String password) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      TlsCertificate certificate = new TlsCertificate(store, password);
      certificate.leaf(); // fails early, with the file named, when there is no key in it
      return certificate;
    } catch (GeneralSecurityException | IOException e) {
      throw new IOException("cannot use the keystore " + file + ": " + e.getMessage()
          + " (a PKCS#12 file; its password comes from TETHER_TLS_PASSWORD)", e);
    }
  }

  /** The self-signed certificate in {@code dir}, made there on first use. */
  public static TlsCertificate selfSigned(Path dir, List<String> names) throws IOException {
    Path store = dir.resolve("tether-remote.p12");
    Path passwordFile = dir.resolve("tether-remote.p12.password");
    if (Files.notExists(store)) {
      make(store, passwordFile, names);
    }
    PrivateFiles.requireOwn(store);
    return load(store, Files.readString(passwordFile, StandardCharsets.US_ASCII).strip());
  }

  private static void make(Path store, Path passwordFile, List<String> names) throws IOException {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Files.writeString(PrivateFiles.file(passwordFile), password + "\n", StandardCharsets.US_ASCII);
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    StringBuilder san = new StringBuilder();
    for (String name : names) {
      san.append(san.length() == 0 ? "SAN=" : ",").append(isAddress(name) ? "ip:" : "dns:").append(name);
    }
    Path partial = store.resolveSibling(store.getFileName() + ".new");
    Files.deleteIfExists(partial);
    List<String> command = new java.util.ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-alias", "tether-remote",
        "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "3650",
        "-dname", "CN=tether-remote", "-storetype", "PKCS12", "-keystore", partial.toString(),
        "-storepass:env", "TETHER_KEYTOOL_PASSWORD", "-keypass:env", "TETHER_KEYTOOL_PASSWORD"));
    if (san.length() > 0) {
      command.addAll(List.of("-ext", san.toString()));
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("TETHER_KEYTOOL_PASSWORD", password); // not on a command line others can read
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("cannot make a self-signed certificate: " + keytool + " is missing (" + e.getMessage()
          + "); give a keystore with --tls-keystore instead", e);
    }
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("keytool could not make a self-signed certificate: " + output);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted making a self-signed certificate");
    }
    PrivateFiles.file(partial);
    Files.move(partial, store);
  }

  private static boolean isAddress(String name) {
    return name.matches("[0-9.]+") || name.contains(":");
  }

  /** The certificate the server presents. */
  public Certificate leaf() throws GeneralSecurityException {
    for (String alias : Collections.list(keyStore.aliases())) {
      if (keyStore.isKeyEntry(alias)) {
        return keyStore.getCertificate(alias);
      }
    }
    throw new GeneralSecurityException("it holds no private key");
  }

  /** {@code SHA256:} and the 64 hex digits of the certificate's SHA-256: what clients pin. */
  public String fingerprint() throws GeneralSecurityException {
    return fingerprint(leaf());
  }

  public static String fingerprint(Certificate certificate) throws GeneralSecurityException {
    return "SHA256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
  }
}
