Feature: A physiotherapist's week with the record
  The physiotherapist keeps each runner's weekly diary in footcoach.  Every change to a runner's
  record re-assesses that runner at once, so the caseload is always current: a red flag entered in
  the diary puts the runner at the top without anyone running an assessment.  A wrong entry is
  corrected with a reason and the old values stay in the audit trail; a progression is accepted and
  the caseload, the report and the next assessment show the new phase.

  Background:
    Given an empty clinic database
    And runner "anna" aged 34 starts phase 2 in week 1 with pain during 2, pain after 1 and morning pain 1
    And the state document "stall-reintroduce" is on record as runner "ben"

  Scenario: Entries are assessed as they are added
    When week 2 is added for "anna" with morning pain 1 and heel raises 22 left and 21 right
    Then the history of "anna" holds 2 assessments, the last one caused by "diary.add" week 2
    And looking at the assessment of "anna" records nothing new

  Scenario: A red flag appears and the caseload puts it first without anyone running assess
    When week 2 is added for "anna" with the red flag "numbness_tingling"
    Then the caseload lists "anna" first with the action "refer" and the flag "red_flag"

  Scenario: A wrong entry is corrected, the old value kept
    When week 2 is added for "anna" with morning pain 1 and heel raises 90 left and 21 right
    Then the command warns about "heel raises"
    When week 2 of "anna" is corrected to heel raises 20 left because "typed 90 for 20"
    Then the diary of "anna" shows heel raises 20 left in week 2
    And the change log of "anna" keeps heel raises 90 left with the reason "typed 90 for 20"
    And the latest assessment of "anna" was caused by "diary.edit"

  Scenario: A progression is accepted and the new phase shows everywhere
    Given the state document "progress-to-phase-3" is on record as runner "cleo"
    When the physiotherapist accepts the phase change of "cleo"
    Then the caseload shows "cleo" in phase 3
    And the next assessment of "cleo" is for phase 3
    And the report of "cleo" shows the change to phase 3
