Feature: Each phase has a gate; every part of it must pass to progress
  Clinical brief sections 2 and 5. With safe (green) pain the runner moves to the next phase only
  when every gate of her current phase passes; otherwise she holds, and footcoach says what blocks
  progress. A measurement that was not taken does not pass, and the why-not names it.

  | from -> to | weeks in phase | eyes-open balance          | eyes-closed balance   | heel raises, both legs | hop pain |
  | 1 -> 2     | 2 or more      | both legs at the age norm, LSI >= 90 | -           | 12 or more             | -        |
  | 2 -> 3     | 2 or more      | -                          | both legs at the age/sex norm | 20 or more, LSI >= 90 | 2/10 or less |
  | 3 -> 4     | 2 or more      | -                          | -                     | 25 or more, LSI >= 90  | 2/10 or less |
  | 4 -> 5     | 4 or more      | -                          | -                     | 25 or more, LSI >= 90  | -        |

  Phase 5 (maintenance) never progresses: hold, maintain.
  Single-leg stance norms: Springer et al. 2007 (45 s cap; under 18 uses the youngest band; when sex
  is not given, the lower of the women's and men's eyes-closed norms).

  Background:
    Given pain during exercise 1/10 and after 1/10
    And first-step morning pain 1/10
    And the pain settled by the next morning

  # ---- phase 1 -> 2 -------------------------------------------------------------------------

  Scenario Outline: Phase 1, a <age>-year-old with eyes-open balance <left> s and <right> s (norm <norm> s): <action>
    Given a <age>-year-old woman in phase 1 for 2 weeks
    And eyes-open single-leg balance <left> s left and <right> s right
    And 12 single-leg heel raises left and 12 right
    When footcoach assesses the runner
    Then the action is <action>
    And the runner trains in phase <next> next
    And the eyes-open balance norm applied is <norm> s

    Examples: at the norm of each age band
      | age | left | right | norm | action   | next |
      | 35  | 44   | 45    | 44   | progress | 2    |
      | 39  | 44   | 44    | 44   | progress | 2    |
      | 40  | 41   | 43    | 41   | progress | 2    |
      | 49  | 41   | 41    | 41   | progress | 2    |
      | 50  | 41   | 42    | 41   | progress | 2    |
      | 59  | 41   | 41    | 41   | progress | 2    |
      | 60  | 32   | 33    | 32   | progress | 2    |
      | 69  | 32   | 32    | 32   | progress | 2    |
      | 70  | 21   | 22    | 21   | progress | 2    |
      | 79  | 21   | 21    | 21   | progress | 2    |
      | 80  | 9    | 9.5   | 9    | progress | 2    |

    Examples: just below the norm on one leg
      | age | left | right | norm | action | next |
      | 35  | 43   | 45    | 44   | hold   | 1    |
      | 39  | 44   | 43.5  | 44   | hold   | 1    |
      | 45  | 40   | 42    | 41   | hold   | 1    |
      | 58  | 40.5 | 41    | 41   | hold   | 1    |
      | 65  | 31   | 33    | 32   | hold   | 1    |
      | 75  | 20   | 22    | 21   | hold   | 1    |
      | 85  | 8.5  | 9     | 9    | hold   | 1    |

  Scenario: Phase 1, balance below the norm is what blocks progress
    Given a 58-year-old woman in phase 1 for 2 weeks
    And eyes-open single-leg balance 33 s left and 35 s right
    And 12 single-leg heel raises left and 12 right
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 1 next
    And there is a "hold" recommendation
    And what blocks progress is only the eyes-open balance

  Scenario: Phase 1, balance at the norm but asymmetric (LSI 56 %) holds
    Given a 75-year-old woman in phase 1 for 2 weeks
    And eyes-open single-leg balance 25 s left and 45 s right
    And 12 single-leg heel raises left and 12 right
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 1 next
    And what blocks progress is only the eyes-open balance

  Scenario: Phase 1, balance LSI of exactly 90 % passes
    Given a 65-year-old man in phase 1 for 2 weeks
    And eyes-open single-leg balance 36 s left and 40 s right
    And 12 single-leg heel raises left and 12 right
    When footcoach assesses him
    Then the action is progress
    And he trains in phase 2 next

  Scenario: Phase 1, a time at the 45 s cap meets the eyes-open norm
    Given a 30-year-old man in phase 1 for 2 weeks
    And eyes-open single-leg balance 45 s left and 45 s right
    And 12 single-leg heel raises left and 12 right
    When footcoach assesses him
    Then the action is progress
    And he trains in phase 2 next

  Scenario Outline: Phase 1, a 15-year-old is held to the youngest band (44 s) and footcoach says so
    Given a 15-year-old girl in phase 1 for 2 weeks
    And eyes-open single-leg balance <left> s left and <right> s right
    And 12 single-leg heel raises left and 12 right
    When footcoach assesses her
    Then the action is <action>
    And she trains in phase <next> next
    And the eyes-open balance norm applied is 44 s
    And the assessment explains that "youngest band"

    Examples:
      | left | right | action   | next |
      | 44   | 44    | progress | 2    |
      | 43   | 45    | hold     | 1    |

  Scenario Outline: Phase 1, heel raises <left> left and <right> right (12 needed on each leg): <action>
    Given a 35-year-old woman in phase 1 for 2 weeks
    And eyes-open single-leg balance 45 s left and 45 s right
    And <left> single-leg heel raises left and <right> right
    When footcoach assesses her
    Then the action is <action>
    And she trains in phase <next> next

    Examples:
      | left | right | action   | next |
      | 12   | 12    | progress | 2    |
      | 12   | 30    | progress | 2    |
      | 11   | 20    | hold     | 1    |
      | 20   | 11    | hold     | 1    |

  Scenario: Phase 1, too few heel raises is what blocks progress
    Given a 35-year-old woman in phase 1 for 2 weeks
    And eyes-open single-leg balance 45 s left and 45 s right
    And 11 single-leg heel raises left and 20 right
    When footcoach assesses her
    Then what blocks progress is only the heel raises

  Scenario Outline: Phase 1 after <weeks> week(s): <action>
    Given a 35-year-old woman in phase 1 for <weeks> weeks
    And eyes-open single-leg balance 45 s left and 45 s right
    And 15 single-leg heel raises left and 15 right
    When footcoach assesses her
    Then the action is <action>
    And she trains in phase <next> next

    Examples:
      | weeks | action   | next |
      | 1     | hold     | 1    |
      | 2     | progress | 2    |

  Scenario: Phase 1 after 1 week, the weeks in phase are what blocks progress
    Given a 35-year-old woman in phase 1 for 1 week
    And eyes-open single-leg balance 45 s left and 45 s right
    And 15 single-leg heel raises left and 15 right
    When footcoach assesses her
    Then what blocks progress is only the weeks in phase

  Scenario: Phase 1, eyes-open balance not tested blocks progress and is named
    Given a 35-year-old woman in phase 1 for 2 weeks
    And 13 single-leg heel raises left and 13 right
    And eyes-open balance was not tested
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 1 next
    And what blocks progress names the missing eyes-open balance
    And what blocks progress is only the eyes-open balance

  Scenario: Phase 1, heel raises not tested blocks progress and is named
    Given a 35-year-old woman in phase 1 for 2 weeks
    And eyes-open single-leg balance 45 s left and 45 s right
    And heel raises were not tested
    When footcoach assesses her
    Then the action is hold
    And what blocks progress names the missing heel raises

  # ---- phase 2 -> 3 -------------------------------------------------------------------------

  Scenario Outline: Phase 2, a <age>-year-old <who> with eyes-closed balance <left> s and <right> s (norm <norm> s): <action>
    Given a <age>-year-old <who> in phase 2 for 3 weeks
    And eyes-closed single-leg balance <left> s left and <right> s right
    And 22 single-leg heel raises left and 22 right
    And single-leg hopping hurts 0/10
    When footcoach assesses the runner
    Then the action is <action>
    And the runner trains in phase <next> next
    And the eyes-closed balance norm applied is <norm> s

    Examples: women and men at and just below their own norm
      | age | who   | left | right | norm | action   | next |
      | 30  | woman | 13.1 | 14    | 13.1 | progress | 3    |
      | 30  | woman | 13   | 14    | 13.1 | hold     | 2    |
      | 30  | man   | 16.9 | 17    | 16.9 | progress | 3    |
      | 30  | man   | 16.8 | 17    | 16.9 | hold     | 2    |
      | 42  | woman | 13.5 | 14    | 13.5 | progress | 3    |
      | 42  | woman | 13.4 | 14    | 13.5 | hold     | 2    |
      | 42  | woman | 12   | 12.5  | 13.5 | hold     | 2    |
      | 42  | man   | 12   | 12.5  | 12   | progress | 3    |
      | 42  | man   | 11.9 | 12.5  | 12   | hold     | 2    |
      | 55  | woman | 7.9  | 8     | 7.9  | progress | 3    |
      | 55  | man   | 8.5  | 9     | 8.6  | hold     | 2    |
      | 55  | man   | 8.6  | 9     | 8.6  | progress | 3    |
      | 65  | woman | 3.6  | 4     | 3.6  | progress | 3    |
      | 65  | man   | 5    | 6     | 5.1  | hold     | 2    |
      | 75  | woman | 3.6  | 4     | 3.7  | hold     | 2    |
      | 75  | man   | 2.6  | 3     | 2.6  | progress | 3    |
      | 85  | woman | 2.1  | 3     | 2.1  | progress | 3    |
      | 85  | man   | 1.7  | 3     | 1.8  | hold     | 2    |
      | 15  | girl  | 13.1 | 14    | 13.1 | progress | 3    |
      | 15  | boy   | 16.8 | 17    | 16.9 | hold     | 2    |

    Examples: sex not recorded, so the lower of the two norms applies
      | age | who                             | left | right | norm | action   | next |
      | 30  | runner whose sex is not recorded | 13.1 | 14    | 13.1 | progress | 3    |
      | 30  | runner whose sex is not recorded | 13   | 14    | 13.1 | hold     | 2    |
      | 42  | runner whose sex is not recorded | 12   | 12.5  | 12   | progress | 3    |
      | 42  | runner whose sex is not recorded | 11.9 | 12.5  | 12   | hold     | 2    |
      | 55  | runner whose sex is not recorded | 7.9  | 8     | 7.9  | progress | 3    |
      | 65  | runner whose sex is not recorded | 3.6  | 4     | 3.6  | progress | 3    |
      | 75  | runner whose sex is not recorded | 2.6  | 3     | 2.6  | progress | 3    |
      | 85  | runner whose sex is not recorded | 1.8  | 3     | 1.8  | progress | 3    |
      | 85  | runner whose sex is not recorded | 1.7  | 3     | 1.8  | hold     | 2    |

  Scenario: Phase 2, eyes-closed balance below the norm is what blocks progress
    Given a 42-year-old woman in phase 2 for 3 weeks
    And eyes-closed single-leg balance 13 s left and 20 s right
    And 22 single-leg heel raises left and 22 right
    And single-leg hopping hurts 0/10
    When footcoach assesses her
    Then the action is hold
    And what blocks progress is only the eyes-closed balance

  Scenario Outline: Phase 2, heel raises <left> left and <right> right (20 and LSI 90 % needed): <action>
    Given a 42-year-old woman in phase 2 for 3 weeks
    And eyes-closed single-leg balance 14 s left and 14 s right
    And <left> single-leg heel raises left and <right> right
    And single-leg hopping hurts 0/10
    When footcoach assesses her
    Then the action is <action>
    And she trains in phase <next> next

    Examples:
      | left | right | action   | next |
      | 20   | 20    | progress | 3    |
      | 20   | 22    | progress | 3    |
      | 27   | 30    | progress | 3    |
      | 19   | 20    | hold     | 2    |
      | 20   | 23    | hold     | 2    |
      | 24   | 30    | hold     | 2    |

  Scenario: Phase 2, asymmetric heel raises (20 and 23, LSI 87 %) are what blocks progress
    Given a 42-year-old woman in phase 2 for 3 weeks
    And eyes-closed single-leg balance 14 s left and 14 s right
    And 20 single-leg heel raises left and 23 right
    And single-leg hopping hurts 0/10
    When footcoach assesses her
    Then what blocks progress is only the heel raises

  Scenario Outline: Phase 2, hopping hurts <hop>/10 (2/10 or less needed): <action>
    Given a 42-year-old woman in phase 2 for 3 weeks
    And eyes-closed single-leg balance 14 s left and 14 s right
    And 22 single-leg heel raises left and 22 right
    And single-leg hopping hurts <hop>/10
    When footcoach assesses her
    Then the action is <action>
    And she trains in phase <next> next

    Examples:
      | hop | action   | next |
      | 0   | progress | 3    |
      | 2   | progress | 3    |
      | 3   | hold     | 2    |

  Scenario: Phase 2, painful hopping is what blocks progress
    Given a 42-year-old woman in phase 2 for 3 weeks
    And eyes-closed single-leg balance 14 s left and 14 s right
    And 22 single-leg heel raises left and 22 right
    And single-leg hopping hurts 3/10
    When footcoach assesses her
    Then what blocks progress is only the hopping

  Scenario Outline: Phase 2 after <weeks> week(s): <action>
    Given a 42-year-old woman in phase 2 for <weeks> weeks
    And eyes-closed single-leg balance 14 s left and 14 s right
    And 22 single-leg heel raises left and 22 right
    And single-leg hopping hurts 0/10
    When footcoach assesses her
    Then the action is <action>
    And she trains in phase <next> next

    Examples:
      | weeks | action   | next |
      | 1     | hold     | 2    |
      | 2     | progress | 3    |

  Scenario: Phase 2, eyes-closed balance not tested blocks progress and is named
    Given a 42-year-old woman in phase 2 for 3 weeks
    And 22 single-leg heel raises left and 22 right
    And single-leg hopping hurts 0/10
    And eyes-closed balance was not tested
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 2 next
    And what blocks progress names the missing eyes-closed balance
    And what blocks progress is only the eyes-closed balance

  Scenario: Phase 2, hopping not tested blocks progress and is named
    Given a 42-year-old woman in phase 2 for 3 weeks
    And eyes-closed single-leg balance 14 s left and 14 s right
    And 22 single-leg heel raises left and 22 right
    And hopping was not tested
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 2 next
    And what blocks progress names the missing hopping
    And what blocks progress is only the hopping

  Scenario: Phase 2, heel raises not tested blocks progress and is named
    Given a 42-year-old woman in phase 2 for 3 weeks
    And eyes-closed single-leg balance 14 s left and 14 s right
    And single-leg hopping hurts 0/10
    When footcoach assesses her
    Then the action is hold
    And what blocks progress names the missing heel raises

  # ---- phase 3 -> 4 -------------------------------------------------------------------------

  Scenario Outline: Phase 3, heel raises <left> left and <right> right (25 and LSI 90 % needed): <action>
    Given a 29-year-old man in phase 3 for 2 weeks
    And <left> single-leg heel raises left and <right> right
    And single-leg hopping hurts 0/10
    When footcoach assesses him
    Then the action is <action>
    And he trains in phase <next> next

    Examples:
      | left | right | action   | next |
      | 25   | 25    | progress | 4    |
      | 27   | 30    | progress | 4    |
      | 24   | 26    | hold     | 3    |
      | 25   | 28    | hold     | 3    |

  Scenario Outline: Phase 3, hopping hurts <hop>/10 (2/10 or less needed): <action>
    Given a 29-year-old man in phase 3 for 2 weeks
    And 26 single-leg heel raises left and 27 right
    And single-leg hopping hurts <hop>/10
    When footcoach assesses him
    Then the action is <action>
    And he trains in phase <next> next

    Examples:
      | hop | action   | next |
      | 2   | progress | 4    |
      | 3   | hold     | 3    |

  Scenario Outline: Phase 3 after <weeks> week(s): <action>
    Given a 29-year-old man in phase 3 for <weeks> weeks
    And 26 single-leg heel raises left and 27 right
    And single-leg hopping hurts 1/10
    When footcoach assesses him
    Then the action is <action>
    And he trains in phase <next> next

    Examples:
      | weeks | action   | next |
      | 1     | hold     | 3    |
      | 2     | progress | 4    |

  Scenario: Phase 3, heel raises not tested blocks progress and is named
    Given a 29-year-old man in phase 3 for 3 weeks
    And single-leg hopping hurts 0/10
    When footcoach assesses him
    Then the action is hold
    And he trains in phase 3 next
    And what blocks progress names the missing heel raises
    And what blocks progress is only the heel raises

  Scenario: Phase 3, hopping not tested blocks progress and is named
    Given a 29-year-old man in phase 3 for 3 weeks
    And 26 single-leg heel raises left and 27 right
    When footcoach assesses him
    Then the action is hold
    And what blocks progress names the missing hopping

  # ---- phase 4 -> 5 -------------------------------------------------------------------------

  Scenario Outline: Phase 4 after <weeks> weeks with heel raises <left> and <right> (4 weeks, 25 and LSI 90 % needed): <action>
    Given a 51-year-old woman in phase 4 for <weeks> weeks
    And <left> single-leg heel raises left and <right> right
    When footcoach assesses her
    Then the action is <action>
    And she trains in phase <next> next

    Examples:
      | weeks | left | right | action   | next |
      | 4     | 25   | 25    | progress | 5    |
      | 6     | 28   | 27    | progress | 5    |
      | 3     | 28   | 27    | hold     | 4    |
      | 2     | 28   | 27    | hold     | 4    |
      | 4     | 24   | 30    | hold     | 4    |
      | 4     | 25   | 29    | hold     | 4    |

  Scenario: Phase 4 after 3 weeks, the weeks in phase are what blocks progress
    Given a 51-year-old woman in phase 4 for 3 weeks
    And 28 single-leg heel raises left and 27 right
    When footcoach assesses her
    Then what blocks progress is only the weeks in phase

  Scenario: Phase 4, heel raises not tested blocks progress and is named
    Given a 51-year-old woman in phase 4 for 5 weeks
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 4 next
    And what blocks progress names the missing heel raises
    And what blocks progress is only the heel raises

  # ---- phase 5 ------------------------------------------------------------------------------

  Scenario: Phase 5 never progresses: she holds and maintains
    Given a 51-year-old woman in phase 5 for 10 weeks
    And eyes-open single-leg balance 45 s left and 45 s right
    And eyes-closed single-leg balance 20 s left and 20 s right
    And 30 single-leg heel raises left and 30 right
    And single-leg hopping hurts 0/10
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 5 next
    And a "hold" recommendation mentions "Maintain"
    And there is no "progression" recommendation

  # ---- pain comes first ---------------------------------------------------------------------

  Scenario: Every gate passes but amber pain holds her
    Given a 29-year-old man in phase 3 for 2 weeks
    And 26 single-leg heel raises left and 27 right
    And single-leg hopping hurts 0/10
    And pain during exercise 4/10 and after 3/10
    When footcoach assesses him
    Then the action is hold
    And he trains in phase 3 next
    And there is no "progression" recommendation
