Feature: Training diary, caseload and audit trail
  A runner keeps a weekly diary (morning pain, single-leg balance, heel raises, foot fatigue) and a
  current report (program, pain, tests, shoes, running) in footcoach's database.  Assessing a stored
  runner gives exactly what assessing the exported state document gives; every change to the record
  (an import too) re-assesses the runner, and only a change records an assessment; every stored assessment
  keeps its input, rule-base version and trace; a physiotherapist sees who needs attention first and
  can override a recommendation with a reason, beside the original.

  Background:
    Given an empty footcoach database

  Scenario Outline: A runner imported from a state document is assessed as the document itself
    Given the state document "<example>" is imported as runner "<runner>"
    When footcoach assesses runner "<runner>" from the diary
    Then the assessment is the one footcoach gives for the document itself
    And the diary export gives back the same state as the document
    And the history of "<runner>" holds 2 assessments, each made by an import, with the current rule-base version

    Examples:
      | example               | runner |
      | progress-to-phase-3   | r-017  |
      | stall-reintroduce     | r-stall |
      | regress-not-settled   | r-reg  |
      | red-flag-numbness     | r-flag |
      | amber-hold-worn-shoes | r-shoe |

  Scenario: Weekly diary entries build the current report
    Given runner "r-5" aged 35
    When week 1 is recorded for "r-5" with phase 1, 0 weeks in phase, pain during 3, pain after 2, morning pain 4, settled
    And week 3 is recorded for "r-5" with morning pain 2, heel raises 14 left and 16 right
    Then the diary of "r-5" lists weeks 1, 3
    And the exported state of "r-5" has phase 1 with 2 weeks in phase
    And the exported state of "r-5" has morning pain 2 and pain during 3
    And the exported state of "r-5" has heel raises 14 left and 16 right

  Scenario: A diary entry with a value out of range is refused, naming the field
    Given runner "r-9" aged 40
    When week 1 is recorded for "r-9" with morning pain 11, heel raises 12 left and 14 right
    Then the command fails with exit code 2
    And the error names "--pain-morning"
    And the diary of "r-9" is empty

  Scenario: The caseload lists referrals first, then regressions, then stalls
    Given the state document "stall-reintroduce" is imported as runner "s" and assessed
    And the state document "progress-to-phase-3" is imported as runner "r-017" and assessed
    And the state document "regress-not-settled" is imported as runner "g" and assessed
    And the state document "red-flag-numbness" is imported as runner "f" and assessed
    When the physiotherapist opens the caseload
    Then the runners are listed in the order f, g, s, r-017
    And runner "f" is flagged referral and runner "s" is flagged stall

  Scenario: A physiotherapist overrides a recommendation with a reason
    Given the state document "regress-not-settled" is imported as runner "g" and assessed
    When the physiotherapist overrides the latest assessment of "g" to "hold" because "settled by noon, seen in clinic"
    Then the history of "g" shows the original action "regress" and the override "hold" because "settled by noon, seen in clinic"
    And the caseload shows "g" with the action "hold"
