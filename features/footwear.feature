Feature: Shoe checks
  Clinical brief section 7. Shoe advice is a recommendation alongside the action; it never changes it.
  - 800 km or more: replace the shoe (300-500 miles, ACSM and AAPSM guidance).
  - 500 to 799 km: inspect midsole and outsole wear.
  - Morning pain 3/10 or more now and at the latest diary entry: evaluate midfoot support, heel
    counter and sole stiffness (seed).
  - Morning pain 3/10 or more in a minimalist shoe or one with a drop of 4 mm or less: consider a
    slightly higher drop (seed; Malisoux 2016).
  - A regular runner in a minimalist or low-drop (4 mm or less) shoe worn for under 8 weeks:
    transition gradually (Malisoux 2016, HR 1.67; Ridge 2013).

  The runner below is in her first week of phase 1 with safe pain, so she holds whatever her shoes.

  Background:
    Given a 35-year-old woman in phase 1 for 1 week
    And pain during exercise 1/10 and after 1/10
    And first-step morning pain 1/10
    And the pain settled by the next morning
    And she is an occasional runner

  # ---- mileage ------------------------------------------------------------------------------

  Scenario: A shoe at 870 km should be replaced
    Given she runs in "Old racer", 870 km, a 6 mm drop, worn for 60 weeks
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 1 next
    And a "shoe_replace" recommendation names "Old racer"
    And there is no "shoe_check" recommendation
    And the shoe replace cites ACSM, AAPSM

  Scenario Outline: A shoe at <km> km: <advice>
    Given she runs in "Daily trainer", <km> km, a 8 mm drop, worn for 40 weeks
    When footcoach assesses her
    Then the action is hold
    And there is <replace> "shoe_replace" recommendation
    And there is <check> "shoe_check" recommendation

    Examples:
      | km  | advice                      | replace | check |
      | 800 | replace it                  | a       | no    |
      | 799 | inspect its wear            | no      | a     |
      | 620 | inspect its wear            | no      | a     |
      | 500 | inspect its wear            | no      | a     |
      | 499 | nothing to say yet          | no      | no    |

  Scenario: A shoe at 620 km: inspect the midsole and outsole
    Given she runs in "Daily trainer", 620 km, a 8 mm drop, worn for 30 weeks
    When footcoach assesses her
    Then a "shoe_check" recommendation names "Daily trainer" and "midsole" and "outsole"

  Scenario: Only the worn shoe of two is flagged
    Given she runs in "Old racer", 870 km, a 6 mm drop, worn for 60 weeks
    And she runs in "New trainer", 120 km, a 8 mm drop, worn for 6 weeks
    When footcoach assesses her
    Then there is exactly 1 "shoe_replace" recommendation
    And a "shoe_replace" recommendation names "Old racer"
    And no "shoe_replace" recommendation names "New trainer"
    And there is no "shoe_check" recommendation

  Scenario: Two worn shoes are both flagged
    Given she runs in "Old racer", 870 km, a 6 mm drop, worn for 60 weeks
    And she runs in "Trail shoe", 950 km, a 10 mm drop, worn for 80 weeks
    When footcoach assesses her
    Then there are 2 "shoe_replace" recommendations
    And a "shoe_replace" recommendation names "Trail shoe"

  # ---- persistent morning pain --------------------------------------------------------------

  Scenario: Morning pain 3/10 now and at the last diary entry: evaluate her shoes
    Given she runs in "Daily trainer", 300 km, a 8 mm drop, worn for 20 weeks
    And her morning pain is now 3/10
    And her first diary entry recorded morning pain 3/10
    When footcoach assesses her
    Then the action is hold
    And a "shoe_check" recommendation names "Daily trainer" and "midfoot support"

  Scenario Outline: Morning pain <now>/10 now and <diary>/10 at the last diary entry: no shoe check
    Given she runs in "Daily trainer", 300 km, a 8 mm drop, worn for 20 weeks
    And her morning pain is now <now>/10
    And her first diary entry recorded morning pain <diary>/10
    When footcoach assesses her
    Then there is no "shoe_check" recommendation

    Examples:
      | now | diary |
      | 3   | 2     |
      | 2   | 4     |

  Scenario: Morning pain 5/10 without a diary entry is not yet persistent
    Given she runs in "Daily trainer", 300 km, a 8 mm drop, worn for 20 weeks
    And her morning pain is now 5/10
    When footcoach assesses her
    Then there is no "shoe_check" recommendation

  Scenario: Persistent morning pain calls for a footwear check even before she has listed her shoes
    Given she has not listed any shoes
    And her morning pain is now 4/10
    And her first diary entry recorded morning pain 3/10
    When footcoach assesses her
    Then the action is hold
    And a "shoe_check" recommendation mentions "midfoot support"

  # ---- low drop and morning pain ------------------------------------------------------------

  Scenario Outline: Morning pain <morning>/10 in "<shoe>" (<details>): <advice>
    Given she runs in "<shoe>", <details>, 100 km, worn for 30 weeks
    And her morning pain is now <morning>/10
    When footcoach assesses her
    Then the action is hold
    And there is <check> "shoe_check" recommendation

    Examples:
      | shoe          | details          | morning | advice                       | check |
      | Flat racer    | a 4 mm drop      | 3       | consider a higher drop       | a     |
      | Zero drop     | a 0 mm drop      | 6       | consider a higher drop       | a     |
      | Barefoot shoe | minimalist       | 4       | consider a higher drop       | a     |
      | Trainer       | a 5 mm drop      | 4       | nothing to say               | no    |
      | Flat racer    | a 0 mm drop      | 2       | nothing to say               | no    |

  Scenario: Morning pain 3/10 in a 4 mm drop shoe: consider a slightly higher drop
    Given she runs in "Flat racer", a 4 mm drop, 100 km, worn for 30 weeks
    And her morning pain is now 3/10
    When footcoach assesses her
    Then a "shoe_check" recommendation names "Flat racer" and "slightly higher drop"
    And the shoe check cites Malisoux 2016

  # ---- transition into low-drop or minimalist shoes -----------------------------------------

  Scenario Outline: A <experience> runner <weeks> weeks into "<shoe>" (<details>): <advice>
    Given she is an <experience> runner
    And she runs in "<shoe>", <details>, 50 km, worn for <weeks> weeks
    When footcoach assesses her
    Then the action is hold
    And there is <check> "shoe_check" recommendation

    Examples:
      | experience | shoe          | details     | weeks | advice                 | check |
      | regular    | Barefoot shoe | minimalist  | 3     | transition gradually   | a     |
      | regular    | Barefoot shoe | minimalist  | 7     | transition gradually   | a     |
      | regular    | Flat racer    | a 4 mm drop | 2     | transition gradually   | a     |
      | regular    | Barefoot shoe | minimalist  | 8     | already worn in        | no    |
      | regular    | Trainer       | a 5 mm drop | 2     | not a low-drop shoe    | no    |
      | occasional | Barefoot shoe | minimalist  | 3     | not a regular runner   | no    |
      | novice     | Flat racer    | a 4 mm drop | 2     | not a regular runner   | no    |

  Scenario: A regular runner 3 weeks into a minimalist shoe is told to transition gradually
    Given she is a regular runner
    And she runs in "Barefoot shoe", minimalist, 50 km, worn for 3 weeks
    When footcoach assesses her
    Then a "shoe_check" recommendation names "Barefoot shoe" and "transition gradually"
    And the shoe check cites Malisoux 2016
    And the shoe check cites Ridge 2013

  # ---- shoes never change the action --------------------------------------------------------

  Scenario: A runner ready for phase 2 still progresses with a worn-out shoe
    Given she is in phase 1 for 2 weeks
    And eyes-open single-leg balance 45 s left and 45 s right
    And 14 single-leg heel raises left and 14 right
    And she runs in "Old racer", 870 km, a 6 mm drop, worn for 60 weeks
    When footcoach assesses her
    Then the action is progress
    And she trains in phase 2 next
    And a "shoe_replace" recommendation names "Old racer"
