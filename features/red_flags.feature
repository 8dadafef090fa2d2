Feature: Red flags and non-response refer the runner, whatever else passes
  Clinical brief sections 2, 3 and 10. A red flag refers the runner for a medical assessment:
  referral outranks regress, hold and progress, and the runner keeps her phase. Every referral
  tells the runner whom to see and rests on Tu & Bytomski, Am Fam Physician 2011. A runner whose
  morning pain has not improved by at least 2 points (the MCID, Farrar 2001) after 12 weeks in the
  program is referred for clinical review (Morrissey 2021), when she is still symptomatic: morning
  pain at least 3/10 now (a footcoach design, the same mark as persistent morning pain). A runner
  whose morning pain was low from the start is not referred for "not improving".

  The runner below would otherwise move on to phase 3: her pain is safe and every phase 2 gate passes.

  Background:
    Given a 42-year-old woman in phase 2 for 3 weeks
    And pain during exercise 1/10 and after 1/10
    And first-step morning pain 1/10
    And the pain settled by the next morning
    And eyes-closed single-leg balance 14 s left and 14 s right
    And 22 single-leg heel raises left and 22 right
    And single-leg hopping hurts 0/10

  Scenario: Without a red flag the same runner moves on to phase 3
    When footcoach assesses her
    Then the action is progress
    And she trains in phase 3 next
    And there is no "referral" recommendation

  Scenario Outline: <flag> refers her, whatever else passes
    Given she reports <reported> (red flag <flag>)
    When footcoach assesses her
    Then the action is refer
    And she trains in phase 2 next
    And there is a "referral" recommendation
    And there is no "progression" recommendation
    And a "referral" recommendation mentions "<suspected>"
    And the referral tells her to see "<whom>"
    And the referral cites Tu & Bytomski 2011 in its trace

    Examples:
      | flag                      | reported                                              | suspected                 | whom                                    |
      | numbness_tingling         | burning, tingling or numbness in the heel             | nerve entrapment          | a sports medicine doctor or your GP     |
      | night_pain                | heel pain that wakes her at night                     | stress fracture           | your GP or a sports medicine doctor     |
      | heel_squeeze_pain         | pain when the heel is squeezed from both sides        | calcaneal stress fracture | a sports medicine doctor                |
      | cannot_hop                | she cannot hop on the painful leg because of pain     | stress fracture           | a sports medicine doctor                |
      | trauma_cannot_bear_weight | a fall, after which she cannot bear weight            | fracture                  | urgent care or an emergency department  |
      | fever_hot_red_heel        | fever with a hot, red, swollen heel                   | infection                 | urgent care or your GP                  |
      | sudden_pop                | a sudden pop in the arch, then bruising               | plantar fascia rupture    | a sports medicine doctor or orthopaedic clinic |
      | bilateral_inflammatory    | pain in both heels with psoriasis and swollen knees   | enthesitis                | your GP, for a rheumatology referral    |

  Scenario: A red flag outranks pain that would regress her
    Given pain during exercise 8/10 and after 7/10
    And the pain had not settled by the next morning
    And she reports heel pain that wakes her at night (red flag night_pain)
    When footcoach assesses her
    Then the action is refer
    And she trains in phase 2 next
    And there is no "regression" recommendation

  Scenario: A red flag outranks pain that would hold her
    Given pain during exercise 4/10 and after 5/10
    And she reports a sudden pop in the arch, then bruising (red flag sudden_pop)
    When footcoach assesses her
    Then the action is refer
    And she trains in phase 2 next
    And there is no "hold" recommendation

  Scenario: Two red flags still refer her
    Given she reports burning, tingling or numbness in the heel (red flag numbness_tingling)
    And she reports pain when the heel is squeezed from both sides (red flag heel_squeeze_pain)
    When footcoach assesses her
    Then the action is refer
    And she trains in phase 2 next
    And there is no "progression" recommendation
    And the referral cites Tu & Bytomski 2011

  Scenario: No meaningful improvement after 12 weeks refers her for clinical review
    Given she has been in the program for 12 weeks
    And her first diary entry recorded morning pain 4/10
    And her morning pain is now 3/10
    When footcoach assesses her
    Then the action is refer
    And she trains in phase 2 next
    And there is no "progression" recommendation
    And the referral tells her to see "a physiotherapist or sports medicine doctor"
    And the referral cites Morrissey 2021
    And the referral cites Farrar 2001

  Scenario: Morning pain worse than at the start after 20 weeks refers her
    Given she has been in the program for 20 weeks
    And her first diary entry recorded morning pain 3/10
    And her morning pain is now 5/10
    When footcoach assesses her
    Then the action is refer
    And she trains in phase 2 next
    And the referral cites Morrissey 2021

  Scenario: Unchanged morning pain at 11 weeks is too early to refer
    Given she has been in the program for 11 weeks
    And her first diary entry recorded morning pain 4/10
    And her morning pain is now 4/10
    When footcoach assesses her
    Then the action is progress
    And she trains in phase 3 next
    And there is no "referral" recommendation

  Scenario: A 2-point improvement at 12 weeks is a response, not a referral
    Given she has been in the program for 12 weeks
    And her first diary entry recorded morning pain 4/10
    And her morning pain is now 2/10
    When footcoach assesses her
    Then the action is progress
    And she trains in phase 3 next
    And there is no "referral" recommendation

  Scenario: Without a diary entry non-response cannot be judged
    Given she has been in the program for 12 weeks
    And her morning pain is now 4/10
    When footcoach assesses her
    Then the action is progress
    And there is no "referral" recommendation

  Scenario: Morning pain low from the start (1/10, still 1/10) at 12 weeks is not a referral for not improving
    Given she has been in the program for 12 weeks
    And her first diary entry recorded morning pain 1/10
    And her morning pain is now 1/10
    When footcoach assesses her
    Then the action is progress
    And there is no "referral" recommendation

  Scenario: Morning pain from 1/10 to 0/10 at 12 weeks is not a referral for not improving
    Given she has been in the program for 12 weeks
    And her first diary entry recorded morning pain 1/10
    And her morning pain is now 0/10
    When footcoach assesses her
    Then the action is progress
    And there is no "referral" recommendation

  Scenario: One point better (3/10 to 2/10) at 12 weeks and no longer symptomatic is not referred
    Given she has been in the program for 12 weeks
    And her first diary entry recorded morning pain 3/10
    And her morning pain is now 2/10
    When footcoach assesses her
    Then the action is progress
    And there is no "referral" recommendation

  Scenario: Still 3/10 every morning after 12 weeks is still symptomatic: referred for review
    Given she has been in the program for 12 weeks
    And her first diary entry recorded morning pain 3/10
    And her morning pain is now 3/10
    When footcoach assesses her
    Then the action is refer
    And a "referral" recommendation mentions "3/10 at the first diary entry", "3/10 now" and "still symptomatic"
