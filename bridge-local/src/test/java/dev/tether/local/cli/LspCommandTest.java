package dev.tether.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LspCommandTest {
  @Test
  void aLeadingTildeOfTheLocalSideIsTheLocalHome() {
    assertEquals("/home/me/proj=/home/user/proj", LspCommand.expandLocalHome("~/proj=/home/user/proj", "/home/me"));
    assertEquals("/home/me=/srv/me", LspCommand.expandLocalHome("~=/srv/me", "/home/me"));
  }

  @Test
  void otherSpecsAndTheRemoteSideAreLeftAlone() {
    assertEquals("/src/app=~/app", LspCommand.expandLocalHome("/src/app=~/app", "/home/me"));
    assertEquals("~bob/proj=/srv/proj", LspCommand.expandLocalHome("~bob/proj=/srv/proj", "/home/me"));
  }
}
