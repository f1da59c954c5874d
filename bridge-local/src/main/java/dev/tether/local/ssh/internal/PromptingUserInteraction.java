package dev.tether.local.ssh.internal;

import dev.tether.local.ssh.Prompter;
import dev.tether.local.ssh.SshFailure;
import dev.tether.local.ssh.SshTarget;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.auth.keyboard.UserInteraction;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password and keyboard-interactive prompts of one hop, routed to the {@link Prompter}. Banners are
 * logged, never printed: stdout may carry the editor protocol. Called by MINA on an I/O thread.
 */
public final class PromptingUserInteraction implements UserInteraction {
  private static final Logger LOG = LoggerFactory.getLogger(PromptingUserInteraction.class);
  private static final int PASSWORD_ATTEMPTS = 3;

  private final HopAttempt attempt;
  private final Prompter prompter;
  private final AtomicInteger passwordAttempts = new AtomicInteger();

  public PromptingUserInteraction(HopAttempt attempt, Prompter prompter) {
    this.attempt = attempt;
    this.prompter = prompter;
  }

  /**
   * No interaction after a changed host key was accepted (StrictHostKeyChecking=no): whoever answers
   * under the host's name would get the password. MINA has built its method list by then, so this is
   * where password and keyboard-interactive authentication are switched off.
   */
  @Override
  public boolean isInteractionAllowed(ClientSession session) {
    return !attempt.hop().batchMode() && prompter.isAvailable() && attempt.changedHostKeyWarning() == null;
  }

  @Override
  public void welcome(ClientSession session, String banner, String lang) {
    LOG.info("banner from {}: {}", attempt.hop().address(), banner.strip());
  }

  @Override
  public String[] interactive(ClientSession session, String name, String instruction, String lang,
      String[] prompts, boolean[] echo) {
    if (attempt.changedHostKeyWarning() != null) {
      return null;
    }
    if (prompts == null || prompts.length == 0) {
      return new String[0];
    }
    String[] answers = new String[prompts.length];
    for (int i = 0; i < prompts.length; i++) {
      answers[i] = ask(prompts[i], echo != null && i < echo.length && echo[i]);
      if (answers[i] == null) {
        return null;
      }
    }
    return answers;
  }

  @Override
  public String resolveAuthPasswordAttempt(ClientSession session) {
    if (!isInteractionAllowed(session) || passwordAttempts.incrementAndGet() > PASSWORD_ATTEMPTS) {
      return null;
    }
    SshTarget hop = attempt.hop();
    return ask(hop.user() + "@" + hop.hostName() + "'s password: ", false);
  }

  @Override
  public String getUpdatedPassword(ClientSession session, String prompt, String lang) {
    return null; // expired passwords are changed with a real ssh client
  }

  private String ask(String prompt, boolean echo) {
    attempt.prompted();
    try {
      return prompter.prompt(prompt, echo);
    } catch (SshFailure f) {
      attempt.keyFailed(f);
      return null;
    }
  }
}
