Feature: Runner triage: questions in the terminal, ending with something to do this week
  Runners do not write JSON: they answer questions (knowledge/questionnaire.yaml). Red flags come
  first and any yes ends the questionnaire with a referral in plain words: what it may mean, whom to
  see, how soon, what to do meanwhile, and nothing else. A new runner starts in phase 1 and is not
  asked about weeks already trained. The triage ends with the assessment in a runner's words, this
  week's plan and the decision again.

  Scenario: A red flag stops the questionnaire at once with a referral
    Given a runner at the terminal
    And they type:
      | question                   | answer |
      | red_flag_numbness_tingling | no     |
      | red_flag_night_pain        | yes    |
    When the triage runs
    Then they were not asked "red_flag_heel_squeeze_pain"
    And they were not asked "runner_age"
    And they are told it may mean "stress fracture"
    And they are told to see "your GP or a sports medicine doctor" "within a few days"
    And they are told what to do meanwhile: "stop running and the loaded exercises until you have been seen"
    And they see only the stop message: no decision, no phase, no plan, nothing filled in for the record
    And the assessment on record is "refer"

  Scenario: A new runner starts in phase 1
    Given a runner at the terminal
    And they answer "no" to every red-flag question
    And they type:
      | question                  | answer |
      | new_runner                | yes    |
      | runner_age                | 29     |
      | runner_sex                | male   |
      | runner_experience         | novice |
      | pain_during               | 1      |
      | pain_after                | 1      |
      | pain_morning              | 0      |
      | pain_settled_next_morning | yes    |
      | pain_sharp                | no     |
      | balance_eyes_open_left    |        |
      | balance_eyes_open_right   |        |
      | balance_eyes_closed_left  |        |
      | balance_eyes_closed_right |        |
      | heel_raises_left          | 8      |
      | heel_raises_right         | 9      |
      | hop_pain                  |        |
      | shoes                     | 0      |
      | running_weekly_km         |        |
      | running_previous_weekly_km |       |
      | running_longest_run_km_30d |       |
      | running_planned_long_run_km |      |
    When the triage runs
    Then they were not asked "program_phase"
    And they were not asked "program_weeks_in_phase"
    And they were not asked "diary"
    And the action is "hold" and they train in phase 1 next
    And this week's plan for phase 1 follows the summary and the text ends with the decision
    And the plan has the key heel raise "both legs together"

  Scenario: A returning runner whose tests pass moves on
    Given a runner at the terminal
    And they answer "no" to every red-flag question
    And they type:
      | question                  | answer        |
      | new_runner                | no            |
      | program_phase             | 2             |
      | program_weeks_in_phase    | 3             |
      | program_weeks_in_program  | 6             |
      | runner_age                | 35            |
      | runner_sex                | female        |
      | runner_experience         | regular       |
      | pain_during               | 1             |
      | pain_after                | 1             |
      | pain_morning              | 1             |
      | pain_settled_next_morning | yes           |
      | pain_sharp                | no            |
      | balance_eyes_open_left    | 45            |
      | balance_eyes_open_right   | 45            |
      | balance_eyes_closed_left  | 15            |
      | balance_eyes_closed_right | 14            |
      | heel_raises_left          | 24            |
      | heel_raises_right         | 23            |
      | hop_pain                  | 1             |
      | shoes                     | 1             |
      | shoes.name                | Daily trainer |
      | shoes.km                  | 300           |
      | shoes.drop_mm             | 8             |
      | shoes.minimalist          | no            |
      | shoes.weeks_worn          | 20            |
      | running_weekly_km         | 25            |
      | running_previous_weekly_km | 24           |
      | running_longest_run_km_30d | 12           |
      | running_planned_long_run_km | 13          |
      | diary                     | 0             |
    When the triage runs
    Then the action is "progress" and they train in phase 3 next
    And this week's plan for phase 3 follows the summary and the text ends with the decision
    And the triage agrees with footcoach assess on the same state

  Scenario: A stalled runner holds and brings back earlier steps
    Given a runner's answers file:
      """
      red_flag_numbness_tingling: no
      red_flag_night_pain: no
      red_flag_heel_squeeze_pain: no
      red_flag_cannot_hop: no
      red_flag_trauma_cannot_bear_weight: no
      red_flag_fever_hot_red_heel: no
      red_flag_sudden_pop: no
      red_flag_bilateral_inflammatory: no
      program_phase: 1
      program_weeks_in_phase: 6
      program_weeks_in_program: 6
      runner_age: 58
      runner_sex: female
      runner_experience: novice
      pain_during: 2
      pain_after: 2
      pain_morning: 2
      pain_settled_next_morning: yes
      balance_eyes_open_left: 33
      balance_eyes_open_right: 35
      heel_raises_left: 10
      heel_raises_right: 12
      diary:
        - {week: 3, pain_morning: 3, balance_eyes_open_s: {left: 32, right: 34}, heel_raises: {left: 9, right: 11}}
        - {week: 4, pain_morning: 2, balance_eyes_open_s: {left: 33, right: 34}, heel_raises: {left: 9, right: 12}}
        - {week: 5, pain_morning: 2, balance_eyes_open_s: {left: 33, right: 35}, heel_raises: {left: 10, right: 12}}
        - {week: 6, pain_morning: 2, balance_eyes_open_s: {left: 33, right: 35}, heel_raises: {left: 10, right: 12}}
      """
    When the triage runs on the answers file
    Then the action is "hold" and they train in phase 1 next
    And there is a "reintroduce" recommendation
    And this week's plan for phase 1 follows the summary and the text ends with the decision
    And the triage agrees with footcoach assess on the same state
