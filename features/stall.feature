Feature: When progress stalls, reintroduce earlier steps
  Clinical brief section 6 (seed: "if progress stalls, reintroduce a few of the earlier progression
  steps"). A stall is all of: 4 or more weeks in the phase without passing its gate, at least 4 diary
  entries, and over the last four (the first of them against the latest) the weaker leg's eyes-open
  balance gained less than 3 s, the weaker leg's heel raises gained fewer than 6 (the retest error,
  Hebert-Losier 2017), and morning pain fell by less than 2 points (Farrar 2001). A marker missing
  from either entry counts as not gained, and is said to be not measured (which weeks), never a
  change of 0. footcoach then recommends the previous phase's progression steps alongside the current
  phase; in phase 1, which has no earlier phase, the activation block every day and the easier variant
  of each exercise. The action stays hold. A regression or a red-flag referral already changes the
  plan, so it brings no reintroduction; a non-response referral keeps the plan and still reports it.

  The runner below is 58, six weeks into phase 1, with eyes-open balance below the 41 s norm and
  fewer than 12 heel raises on her weaker leg, and safe pain.

  Background:
    Given a 58-year-old woman in phase 1 for 6 weeks
    And she has been in the program for 6 weeks
    And pain during exercise 2/10 and after 2/10
    And first-step morning pain 2/10
    And the pain settled by the next morning
    And eyes-open single-leg balance 33 s left and 35 s right
    And 10 single-leg heel raises left and 12 right

  Scenario: Four flat diary weeks after six weeks in phase 1 are a stall
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 32 / 34                   | 9 / 11              |
      | 4    | 2            | 33 / 34                   | 9 / 12              |
      | 5    | 2            | 33 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 1 next
    And there is a "hold" recommendation
    And a "reintroduce" recommendation mentions "Ankle range of motion", "Toe curls", "Toe spreading" and "Towel scrunches (seated)"
    And a "reintroduce" recommendation mentions "every day" and "easier variant"
    And the plan brings back the easier variant of "Toe curls": "curl through a smaller range"
    And the plan does not list this week's exercises a second time
    And there is no "progression" recommendation
    And there is no "regression" recommendation

  Scenario: Only three diary entries are not enough to call a stall
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 4    | 2            | 33 / 34                   | 9 / 12              |
      | 5    | 2            | 33 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is no "reintroduce" recommendation

  Scenario: Three weeks in the phase is too early to call a stall
    Given she is in phase 1 for 3 weeks
    And her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 32 / 34                   | 9 / 11              |
      | 4    | 2            | 33 / 34                   | 9 / 12              |
      | 5    | 2            | 33 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is no "reintroduce" recommendation

  Scenario: Four weeks in the phase is enough to call a stall
    Given she is in phase 1 for 4 weeks
    And her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 32 / 34                   | 9 / 11              |
      | 4    | 2            | 33 / 34                   | 9 / 12              |
      | 5    | 2            | 33 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is a "reintroduce" recommendation

  Scenario: The gate passes: she progresses, no stall
    Given eyes-open single-leg balance 45 s left and 45 s right
    And 14 single-leg heel raises left and 14 right
    And her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 2            | 45 / 45                   | 14 / 14             |
      | 4    | 2            | 45 / 45                   | 14 / 14             |
      | 5    | 2            | 45 / 45                   | 14 / 14             |
      | 6    | 2            | 45 / 45                   | 14 / 14             |
    When footcoach assesses her
    Then the action is progress
    And she trains in phase 2 next
    And there is no "reintroduce" recommendation

  Scenario: Weaker-leg balance gained 3 s: not a stall
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 30 / 34                   | 9 / 11              |
      | 4    | 2            | 31 / 34                   | 9 / 12              |
      | 5    | 2            | 32 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is no "reintroduce" recommendation

  Scenario: Weaker-leg balance gained only 2 s: a stall
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 31 / 34                   | 9 / 11              |
      | 4    | 2            | 32 / 34                   | 9 / 12              |
      | 5    | 2            | 32 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is a "reintroduce" recommendation

  Scenario: Only the stronger leg improved its balance: still a stall
    Given eyes-open single-leg balance 31 s left and 41 s right
    And her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 30 / 30                   | 9 / 11              |
      | 4    | 2            | 30 / 34                   | 9 / 12              |
      | 5    | 2            | 31 / 38                   | 10 / 12             |
      | 6    | 2            | 31 / 41                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is a "reintroduce" recommendation

  Scenario: Weaker-leg heel raises gained 6: not a stall
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 32 / 34                   | 4 / 11              |
      | 4    | 2            | 33 / 34                   | 6 / 12              |
      | 5    | 2            | 33 / 35                   | 8 / 12              |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is no "reintroduce" recommendation

  Scenario: Weaker-leg heel raises gained only 5: a stall
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 32 / 34                   | 5 / 11              |
      | 4    | 2            | 33 / 34                   | 6 / 12              |
      | 5    | 2            | 33 / 35                   | 8 / 12              |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is a "reintroduce" recommendation

  Scenario: Morning pain fell by 2 points: not a stall
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 4            | 32 / 34                   | 9 / 11              |
      | 4    | 3            | 33 / 34                   | 9 / 12              |
      | 5    | 3            | 33 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is no "reintroduce" recommendation

  Scenario: Morning pain fell by only 1 point: a stall
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 32 / 34                   | 9 / 11              |
      | 4    | 3            | 33 / 34                   | 9 / 12              |
      | 5    | 2            | 33 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is a "reintroduce" recommendation

  Scenario: Gains made before the last four entries do not count
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 2    | 5            | 20 / 20                   | 2 / 3               |
      | 3    | 3            | 31 / 34                   | 9 / 11              |
      | 4    | 2            | 32 / 34                   | 9 / 12              |
      | 5    | 2            | 33 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is a "reintroduce" recommendation

  Scenario: A diary with no balance, heel-raise or pain markers counts as not gained: a stall
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    |              |                           |                     |
      | 4    |              |                           |                     |
      | 5    |              |                           |                     |
      | 6    |              |                           |                     |
    When footcoach assesses her
    Then the action is hold
    And there is a "reintroduce" recommendation

  Scenario: A balance time missing from the first of the four entries counts as not gained
    Given eyes-open single-leg balance 40 s left and 40 s right
    And her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            |                           | 9 / 11              |
      | 4    | 2            | 33 / 34                   | 9 / 12              |
      | 5    | 2            | 36 / 37                   | 10 / 12             |
      | 6    | 2            | 40 / 40                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And there is a "reintroduce" recommendation
    And a "reintroduce" recommendation mentions "balance not measured in week 3"
    And no "reintroduce" recommendation mentions "changed by 0" or "by 0 s"

  Scenario: Morning pain that rose over the window is said to have risen, never a negative fall
    Given her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 2            | 32 / 34                   | 9 / 11              |
      | 4    | 2            | 33 / 34                   | 9 / 12              |
      | 5    | 2            | 33 / 35                   | 10 / 12             |
      | 6    | 3            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And a "reintroduce" recommendation mentions "morning pain 2 -> 3/10, rose by 1"
    And no "reintroduce" recommendation mentions "fell by -"

  Scenario: Amber pain and a stall: she holds and reintroduces earlier steps
    Given pain during exercise 4/10 and after 3/10
    And her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 32 / 34                   | 9 / 11              |
      | 4    | 2            | 33 / 34                   | 9 / 12              |
      | 5    | 2            | 33 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 1 next
    And there is a "reintroduce" recommendation

  Scenario: A stall in phase 2 brings back phase 1's progression steps
    Given a 42-year-old woman in phase 2 for 5 weeks
    And she has been in the program for 9 weeks
    And eyes-closed single-leg balance 10 s left and 10 s right
    And 18 single-leg heel raises left and 18 right
    And single-leg hopping hurts 1/10
    And her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 5    | 2            | 40 / 41                   | 17 / 18             |
      | 6    | 2            | 40 / 41                   | 17 / 18             |
      | 7    | 2            | 41 / 41                   | 18 / 18             |
      | 8    | 2            | 41 / 41                   | 18 / 18             |
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 2 next
    And a "reintroduce" recommendation mentions "Single-leg balance with gentle perturbations" and "Banded plantar flexion"
    And no "reintroduce" recommendation mentions "Ankle-band sprints at low intensity"

  Scenario: Morning pain rising 2-3-4-5 regresses her, with no reintroduction to contradict it
    Given a 42-year-old woman in phase 2 for 6 weeks
    And she has been in the program for 10 weeks
    And her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 6    | 2            | 40 / 41                   | 17 / 18             |
      | 7    | 3            | 40 / 41                   | 17 / 18             |
      | 8    | 4            | 41 / 41                   | 18 / 18             |
      | 9    | 5            | 41 / 41                   | 18 / 18             |
    When footcoach assesses her
    Then the action is regress
    And she trains in phase 1 next
    And there is no "reintroduce" recommendation

  Scenario: A red flag with a stall refers her, with no reintroduction: the routine is paused
    Given she reports heel pain that wakes her at night (red flag night_pain)
    And her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 3    | 3            | 32 / 34                   | 9 / 11              |
      | 4    | 2            | 33 / 34                   | 9 / 12              |
      | 5    | 2            | 33 / 35                   | 10 / 12             |
      | 6    | 2            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is refer
    And there is no "reintroduce" recommendation

  Scenario: A non-response referral keeps the plan, so the stall is still reported
    Given she has been in the program for 12 weeks
    And her morning pain is now 4/10
    And her diary reads
      | week | morning pain | eyes-open balance (L / R) | heel raises (L / R) |
      | 9    | 4            | 32 / 34                   | 9 / 11              |
      | 10   | 4            | 33 / 34                   | 9 / 12              |
      | 11   | 4            | 33 / 35                   | 10 / 12             |
      | 12   | 4            | 33 / 35                   | 10 / 12             |
    When footcoach assesses her
    Then the action is refer
    And there is a "referral" recommendation
    And there is a "reintroduce" recommendation
