Feature: One action per assessment, decided by rules
  Clinical brief section 2: one overall action, with the precedence refer > regress > hold >
  progress. Each rule that indicates an action says so; the decision rules then conclude the one
  action: refer when a referral is indicated, regress when a regression is indicated and no
  referral, hold when a hold is indicated and neither of those, progress only when nothing stronger
  is indicated. Three more decision rules conclude the phase to train in next: the previous phase
  after a regression, the following phase after a progression, the same phase otherwise. The trace
  shows which decision rule decided, and the why-not explains every stronger action through the
  decision rule that would have concluded it.

  The runner below would move on to phase 3: her pain is safe and every phase 2 gate passes.

  Background:
    Given a 42-year-old woman in phase 2 for 3 weeks
    And pain during exercise 1/10 and after 1/10
    And first-step morning pain 1/10
    And the pain settled by the next morning
    And eyes-closed single-leg balance 14 s left and 14 s right
    And 22 single-leg heel raises left and 22 right
    And single-leg hopping hurts 0/10

  Scenario: Nothing stronger is indicated: she progresses, and the trace says which rule decided
    When footcoach assesses her
    Then the action is progress
    And she trains in phase 3 next
    And the decision rule "decide-progress" decided the action
    And the next phase was concluded by "next-phase-progress"
    And why not a stronger action covers "refer", "regress" and "hold", in that order

  Scenario: Acceptable but not safe pain: the hold outranks the progression
    Given pain during exercise 4/10 and after 3/10
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 2 next
    And the decision rule "decide-hold" decided the action
    And the next phase was concluded by "next-phase-keep"
    And why not a stronger action covers "refer" and "regress", in that order
    And there is no "progression" recommendation

  Scenario: A red pain response: the regression outranks the hold
    Given pain during exercise 7/10 and after 3/10
    When footcoach assesses her
    Then the action is regress
    And she trains in phase 1 next
    And the decision rule "decide-regress" decided the action
    And the next phase was concluded by "next-phase-regress"
    And why not a stronger action covers "refer"

  Scenario: A red flag outranks a red pain response: refer, the regression is superseded
    Given she reports burning, tingling or numbness in the heel (red flag numbness_tingling)
    And pain during exercise 7/10 and after 3/10
    When footcoach assesses her
    Then the action is refer
    And she trains in phase 2 next
    And the decision rule "decide-refer" decided the action
    And the next phase was concluded by "next-phase-keep"
    And why not a stronger action covers nothing
    And there is no "regression" recommendation
    And the "regression" recommendation is listed as superseded by refer

  Scenario: Two reasons to refer still make one referral decision
    Given she reports heel pain that wakes her at night (red flag night_pain)
    And she has been in the program for 12 weeks
    And her first diary entry recorded morning pain 4/10
    And her morning pain is now 4/10
    When footcoach assesses her
    Then the action is refer
    And she trains in phase 2 next
    And the decision rule "decide-refer" decided the action
