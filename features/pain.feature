Feature: The pain response decides between progress, hold and regress
  Clinical brief sections 2 and 4 (pain-monitoring model, Silbernagel et al., Am J Sports Med 2007).
  Pain is the worst in the last 7 days on a 0-10 scale.
  Green: during and after 3/10 or less, settled by the next morning, not sharp, not rising: progress
  is allowed when the phase gates pass. Amber: the worse of during and after is 4 or 5: hold.
  Red: above 5, not settled by the next morning, sharp, or morning pain strictly rising over the last
  three diary entries: regress one phase (phase 1 stays in phase 1); sharp pain adds 24-48 h of
  relative rest.

  The runner below passes every phase 2 gate, so her pain alone decides what she does next.

  Background:
    Given a 42-year-old woman in phase 2 for 3 weeks
    And eyes-closed single-leg balance 14 s left and 14 s right
    And 22 single-leg heel raises left and 22 right
    And single-leg hopping hurts 0/10
    And first-step morning pain 1/10
    And the pain settled by the next morning

  Scenario Outline: Green pain (during <during>/10, after <after>/10) lets her progress
    Given pain during exercise <during>/10 and after <after>/10
    When footcoach assesses her
    Then the action is progress
    And she trains in phase 3 next
    And there is a "progression" recommendation
    And there is no "hold" recommendation
    And there is no "regression" recommendation

    Examples:
      | during | after |
      | 0      | 0     |
      | 3      | 3     |
      | 3      | 1     |
      | 1      | 3     |

  Scenario Outline: Amber pain (during <during>/10, after <after>/10) holds the load
    Given pain during exercise <during>/10 and after <after>/10
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 2 next
    And a "hold" recommendation mentions "<worst>/10"
    And there is no "progression" recommendation
    And there is no "regression" recommendation
    And the hold cites Silbernagel 2007

    Examples:
      | during | after | worst |
      | 4      | 3     | 4     |
      | 3      | 4     | 4     |
      | 2      | 5     | 5     |
      | 5      | 5     | 5     |

  Scenario Outline: Red pain (during <during>/10, after <after>/10) regresses one phase
    Given pain during exercise <during>/10 and after <after>/10
    When footcoach assesses her
    Then the action is regress
    And she trains in phase 1 next
    And there is a "regression" recommendation
    And there is no "hold" recommendation
    And there is no "progression" recommendation
    And the regression cites Silbernagel 2007

    Examples:
      | during | after |
      | 6      | 3     |
      | 3      | 6     |
      | 6      | 6     |
      | 10     | 10    |

  Scenario: Pain that has not settled by the next morning regresses, however low
    Given pain during exercise 2/10 and after 2/10
    And the pain had not settled by the next morning
    When footcoach assesses her
    Then the action is regress
    And she trains in phase 1 next
    And there is no "progression" recommendation
    And the regression cites Silbernagel 2007

  Scenario: Sharp, stabbing pain regresses and calls for 24-48 h of relative rest
    Given pain during exercise 2/10 and after 1/10
    And the pain was sharp and stabbing during activity
    When footcoach assesses her
    Then the action is regress
    And she trains in phase 1 next
    And an "advice" recommendation mentions "24-48 h"
    And the regression cites Silbernagel 2007

  Scenario: Amber pain that is not sharp brings no rest advice
    Given pain during exercise 4/10 and after 4/10
    When footcoach assesses her
    Then the action is hold
    And there is no "advice" recommendation

  Scenario: Morning pain rising over the last three diary entries regresses
    Given pain during exercise 2/10 and after 2/10
    And her weekly diary records morning pain 2/10, then 3/10, then 4/10
    And her morning pain is now 4/10
    When footcoach assesses her
    Then the action is regress
    And she trains in phase 1 next
    And the regression cites Silbernagel 2007

  Scenario: Morning pain rising again after an earlier fall regresses
    Given pain during exercise 2/10 and after 2/10
    And her weekly diary records morning pain 5/10, then 1/10, then 2/10, then 3/10
    And her morning pain is now 3/10
    When footcoach assesses her
    Then the action is regress
    And she trains in phase 1 next

  Scenario Outline: Morning pain that is not strictly rising over the last three entries (<diary>) does not regress
    Given pain during exercise 2/10 and after 2/10
    And her weekly diary records morning pain <diary>
    When footcoach assesses her
    Then the action is progress
    And she trains in phase 3 next
    And there is no "regression" recommendation

    Examples:
      | diary                              |
      | 2/10, then 2/10, then 3/10         |
      | 1/10, then 2/10, then 3/10, then 2/10 |
      | 2/10, then 3/10                    |
      | 4/10, then 3/10, then 2/10         |

  Scenario: Red pain in phase 1 keeps her in phase 1
    Given she is in phase 1 for 3 weeks
    And pain during exercise 7/10 and after 2/10
    When footcoach assesses her
    Then the action is regress
    And she trains in phase 1 next
    And there is a "regression" recommendation

  Scenario: Red pain in phase 4 takes her back to phase 3
    Given she is in phase 4 for 5 weeks
    And pain during exercise 6/10 and after 4/10
    When footcoach assesses her
    Then the action is regress
    And she trains in phase 3 next

  Scenario: Red pain outranks amber pain
    Given pain during exercise 4/10 and after 6/10
    When footcoach assesses her
    Then the action is regress
    And there is no "hold" recommendation
