Feature: The shared examples
  Every runner state in tests/data/examples/ comes with the assessment it must produce
  (<name>.expected.json: the action, the phase to train in next, the recommendation kinds that must
  be present and those that must be absent). Each example below is one scenario; a new example must
  be added to the table (a test checks that the table and the folder agree).

  Scenario Outline: Shared example <example>
    Given the shared example "<example>"
    When footcoach assesses the runner
    Then the action is the one the example expects
    And the runner trains in the phase the example expects next
    And every recommendation kind the example expects is present
    And no recommendation kind the example rules out is present

    Examples:
      | example               |
      | amber-hold-worn-shoes |
      | progress-to-phase-3   |
      | red-flag-numbness     |
      | regress-not-settled   |
      | stall-reintroduce     |
