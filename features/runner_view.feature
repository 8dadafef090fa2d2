Feature: The runner's view reads as advice a runner can follow
  The text a runner reads opens with a summary that fits a 24-line screen: the decision, why, what
  blocks progress, what changes this week and the shoe and load advice; this week's plan follows and
  the decision closes the text. A hold names every test that has not reached its mark, with the value
  now and the value needed; an either/or gate (eyes-open balance at the age norm, or the test's 45 s
  cap) is named once, as the easier of the two; a test that was not done is named with how to do it.
  The runner's words carry no rule ids, no recommendation kinds in brackets and no internal ranges.

  Background:
    Given a 58-year-old woman in phase 1 for 6 weeks
    And she has been in the program for 6 weeks
    And pain during exercise 2/10 and after 2/10
    And first-step morning pain 2/10
    And the pain settled by the next morning

  Scenario: A hold names every blocker with the value now and the value needed
    Given eyes-open single-leg balance 30 s left and 35 s right
    And 10 single-leg heel raises left and 12 right
    When footcoach assesses her
    And she reads it in a runner's words on an 80-column screen
    Then the action is hold
    And the runner reads "eyes-open balance on your weaker leg: 30 s now, 41 s needed for your age"
    And the runner reads "single-leg heel raises on your weaker leg: 10 now, 12 needed"
    And the runner does not read "45 s"
    And every line of the summary fits a 24-line screen of 80 columns
    And the text opens and closes with "Decision: stay in phase 1 (Foundation) this week."
    And the runner's words carry no rule id, no bracketed kind and no internal range

  Scenario: A test that was not done is named with how to do it
    Given eyes-open single-leg balance 44 s left and 45 s right
    And heel raises were not tested
    When footcoach assesses her
    And she reads it in a runner's words on an 80-column screen
    Then the action is hold
    And the runner reads "single-leg heel raises on each leg: not measured yet; 12 needed"
    And the runner reads "Stand on one leg on the edge of a step"
    And the runner's words carry no rule id, no bracketed kind and no internal range

  Scenario: Morning pain rising week after week steps her back without advice to keep the phase
    Given she is in phase 2 for 5 weeks
    And her weekly diary records morning pain 2/10, then 3/10, then 4/10, then 5/10
    And first-step morning pain 5/10
    When footcoach assesses her
    And she reads it in a runner's words on an 80-column screen
    Then the action is regress
    And the text opens and closes with "Decision: step back to phase 1 (Foundation) this week."
    And the runner does not read "keep the current phase"
    And the runner does not read "What blocks progress"
    And there is no "reintroduce" recommendation
    And every line of the summary fits a 24-line screen of 80 columns
