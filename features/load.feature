Feature: Running load advice
  Clinical brief section 8. Load advice is a recommendation alongside the action; it never changes it,
  and it states the numbers: how far over the limit the plan is, and the distance to keep to.
  - A planned long run more than 10 % longer than the longest run of the last 30 days (Frandsen et
    al., Br J Sports Med 2025: HR 1.64): keep it to 1.10 x the 30-day longest.
  - A weekly distance more than 30 % over the previous week (Nielsen et al., JOSPT 2014: HR 1.59):
    keep next week to 1.30 x the previous week.

  The runner below is in her first week of phase 1 with safe pain, so she holds.

  Background:
    Given a 35-year-old woman in phase 1 for 1 week
    And pain during exercise 1/10 and after 1/10
    And first-step morning pain 1/10
    And the pain settled by the next morning

  # ---- the long run -------------------------------------------------------------------------

  Scenario: A 14 km long run after a 12 km 30-day longest is 17 % over: keep it to 13.2 km
    Given she plans a 14 km long run and her longest run in the last 30 days was 12 km
    When footcoach assesses her
    Then the action is hold
    And she trains in phase 1 next
    And a "load_advice" recommendation says "14 km", "17 %", "12 km" and "13.2 km"
    And the load advice cites Frandsen 2025

  Scenario Outline: A <planned> km long run after a <longest> km 30-day longest is <percent> % over: keep it to <cap> km
    Given she plans a <planned> km long run and her longest run in the last 30 days was <longest> km
    When footcoach assesses her
    Then the action is hold
    And there is exactly 1 "load_advice" recommendation
    And a "load_advice" recommendation says "<percent> %" and "<cap> km"

    Examples:
      | planned | longest | percent | cap  |
      | 14      | 12      | 17      | 13.2 |
      | 20      | 15      | 33      | 16.5 |
      | 5.6     | 5       | 12      | 5.5  |
      | 25      | 21      | 19      | 23.1 |

  Scenario Outline: A <planned> km long run after a <longest> km 30-day longest needs no advice
    Given she plans a <planned> km long run and her longest run in the last 30 days was <longest> km
    When footcoach assesses her
    Then the action is hold
    And there is no "load_advice" recommendation

    Examples:
      | planned | longest |
      | 13.2    | 12      |
      | 11      | 10      |
      | 12      | 12      |
      | 10      | 12      |

  # ---- the weekly distance ------------------------------------------------------------------

  Scenario: 40 km this week after 30 km is 33 % more: keep next week to 39 km
    Given she ran 40 km this week after 30 km the week before
    When footcoach assesses her
    Then the action is hold
    And a "load_advice" recommendation says "40 km", "33 %", "30 km" and "39.0 km"
    And the load advice cites Nielsen 2014

  Scenario Outline: <weekly> km this week after <previous> km is <percent> % more: keep next week to <cap> km
    Given she ran <weekly> km this week after <previous> km the week before
    When footcoach assesses her
    Then there is exactly 1 "load_advice" recommendation
    And a "load_advice" recommendation says "<percent> %" and "<cap> km"

    Examples:
      | weekly | previous | percent | cap  |
      | 40     | 30       | 33      | 39.0 |
      | 30     | 20       | 50      | 26.0 |
      | 27     | 20       | 35      | 26.0 |

  Scenario Outline: <weekly> km this week after <previous> km needs no advice
    Given she ran <weekly> km this week after <previous> km the week before
    When footcoach assesses her
    Then there is no "load_advice" recommendation

    Examples:
      | weekly | previous |
      | 39     | 30       |
      | 26     | 20       |
      | 25     | 30       |

  Scenario: Without last week's distance there is no weekly advice
    Given she ran 40 km this week
    When footcoach assesses her
    Then there is no "load_advice" recommendation

  # ---- both, and the action -----------------------------------------------------------------

  Scenario: A long-run spike and a weekly spike give two pieces of load advice
    Given she plans a 14 km long run and her longest run in the last 30 days was 12 km
    And she ran 40 km this week after 30 km the week before
    When footcoach assesses her
    Then there are 2 "load_advice" recommendations
    And a "load_advice" recommendation says "13.2 km"
    And a "load_advice" recommendation says "39.0 km"

  Scenario: A runner ready for phase 2 still progresses with a load spike
    Given she is in phase 1 for 2 weeks
    And eyes-open single-leg balance 45 s left and 45 s right
    And 14 single-leg heel raises left and 14 right
    And she plans a 14 km long run and her longest run in the last 30 days was 12 km
    When footcoach assesses her
    Then the action is progress
    And she trains in phase 2 next
    And a "load_advice" recommendation says "17 %" and "13.2 km"
