BEGIN TRANSACTION;
CREATE TABLE assessments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            runner_id TEXT NOT NULL REFERENCES runners(id),
            created_at TEXT NOT NULL,
            rulebase_version TEXT NOT NULL CHECK (length(rulebase_version) > 0),
            source TEXT NOT NULL CHECK (source IS NULL OR source IN ('assess', 'triage')),
            action TEXT CHECK (action IS NULL OR action IN ('refer', 'regress', 'hold', 'progress')),
            phase_current INTEGER,
            phase_next INTEGER,
            input TEXT NOT NULL CHECK (json_valid(input)),
            assessment TEXT NOT NULL CHECK (json_valid(assessment))
        ) STRICT;
INSERT INTO "assessments" VALUES(1,'r-v1','2026-11-30T15:14:29.648583+00:00','2017b4bbf5ff0ae4','assess','refer',1,1,'{"history": [], "pain": {"after": 2, "during": 2, "morning": 3, "settled_next_morning": true, "sharp": false}, "program": {"phase": 1, "weeks_in_phase": 2}, "red_flags": ["numbness_tingling"], "runner": {"age": 35, "experience": "occasional", "id": "r-v1"}, "running": {}, "shoes": [], "tests": {"balance_eyes_open_s": {"left": 45, "right": 45}, "heel_raises": {"left": 15, "right": 15}}}','{"action": "refer", "disclaimer": "Decision support, not a diagnosis: footcoach suggests what to do next from the answers given; a physiotherapist or doctor who examines you decides.", "phase": {"current": 1, "current_name": "Foundation", "next": 1, "next_name": "Foundation"}, "plan": {"paused": true, "phase": 1, "phase_name": "Foundation", "see": [{"how_soon": "within a week", "meanwhile": "keep to pain-free activity and note when the symptoms come on", "red_flag": "numbness_tingling", "whom": "a sports medicine doctor or your GP"}], "why": "a red flag was reported: the routine is paused until you have been seen"}, "progress_blocked_by": {"rules": [{"failing": [], "rule": "progress-from-phase-1", "title": "Progress from phase 1 (Foundation) to phase 2"}]}, "recommendations": [{"action": "refer", "because": [4, 7], "kind": "referral", "reasons": ["Red flag: Burning, tingling or numbness in the heel or foot"], "rule": "refer-red-flag", "runner": "You told us about burning, tingling or numbness in the heel or foot. This can be a sign of nerve entrapment (tarsal tunnel, Baxter''s nerve), which exercises will not fix. Please see a sports medicine doctor or your GP within a week. Until then, keep to pain-free activity and note when the symptoms come on.", "summary": "Refer for medical assessment (within a week): the runner reports burning, tingling or numbness in the heel or foot; suspected nerve entrapment (tarsal tunnel, Baxter''s nerve). Red flags take precedence over any progression."}], "rules_version": "2017b4bbf5ff0ae4", "superseded": [{"action": "progress", "kind": "progression", "rule": "progress-from-phase-1", "summary": "Progress to phase 2 (stability and plyometrics): green pain response, 2 weeks in phase 1, eyes-open balance 45 s on the weaker leg (norm 44 s, LSI 100) and 15 single-leg heel raises on the weaker leg (gate 12)."}], "trace": [{"concluded": {"finding": "pain_band", "value": "green"}, "conditions": [{"derived": "the higher of during 2 and after 2", "fact": "pain.worst", "holds": true, "label": "the higher of pain during and pain after", "op": "<=", "threshold": {"name": "pain.safe_max", "source": {"citation": "The pain monitoring model, as popularised for runners (bim.physio): <=3 safe, 4-5 acceptable, >5 unacceptable", "evidence": "consensus", "key": "bim-pain-monitoring"}, "unit": "NRS points", "value": 3}, "value": 2}, {"fact": "pain.settled_next_morning", "holds": true, "label": "pain back to usual by the next morning", "literal": true, "op": "==", "value": true}, {"fact": "pain.sharp", "holds": true, "label": "sharp, stabbing pain during activity", "literal": false, "op": "==", "value": false}, {"derived": "latest 3 diary morning pain: none", "fact": "history.pain_morning_rising", "holds": true, "label": "morning pain strictly rising over the latest pain.rising_entries diary entries", "literal": false, "op": "==", "value": false}], "family": "pain", "rule": "pain-green", "sources": [{"citation": "Silbernagel KG, et al. Continued sports activity, using a pain-monitoring model, during rehabilitation in patients with Achilles tendinopathy. Am J Sports Med 2007;35(6):897-906", "evidence": "trial", "key": "silbernagel2007", "year": 2007}, {"citation": "The pain monitoring model, as popularised for runners (bim.physio): <=3 safe, 4-5 acceptable, >5 unacceptable", "evidence": "consensus", "key": "bim-pain-monitoring"}], "step": 1, "title": "Safe pain response (green)"}, {"concluded": {"finding": "gate", "value": "p1-heel-raises"}, "conditions": [{"fact": "program.phase", "holds": true, "label": "current phase 1-5", "literal": 1, "op": "==", "value": 1}, {"derived": "the lower of left 15 and right 15", "fact": "tests.heel_raises.weaker", "holds": true, "label": "single-leg heel raises, weaker leg", "op": ">=", "threshold": {"name": "heel_raises.start_dose", "source": {"citation": "Rathleff MS, et al. High-load strength training improves outcome in patients with plantar fasciitis. Scand J Med Sci Sports 2015;25(3):e292-300", "evidence": "trial", "key": "rathleff2015", "year": 2015}, "unit": "repetitions", "value": 12}, "value": 15}], "family": "progression", "rule": "gate-p1-heel-raises", "sources": [{"citation": "Rathleff MS, et al. High-load strength training improves outcome in patients with plantar fasciitis. Scand J Med Sci Sports 2015;25(3):e292-300", "evidence": "trial", "key": "rathleff2015", "year": 2015}], "step": 2, "title": "Gate 1 -> 2: at least 12 single-leg heel raises on each leg"}, {"concluded": {"finding": "gate", "value": "p1-balance-eyes-open"}, "conditions": [{"fact": "program.phase", "holds": true, "label": "current phase 1-5", "literal": 1, "op": "==", "value": 1}, {"any": [{"derived": "the lower of left 45 and right 45", "fact": "tests.balance_eyes_open_s.weaker", "holds": true, "label": "single-leg balance, eyes open, weaker leg", "op": ">=", "threshold": {"name": "balance.eyes_open_norm", "note": "age <= 39", "source": {"citation": "Springer BA, et al. Normative values for the unipedal stance test with eyes open and closed. J Geriatr Phys Ther 2007;30(1):8-15", "evidence": "norm", "key": "springer2007", "year": 2007}, "unit": "s", "value": 44}, "value": 45}, {"derived": "the lower of left 45 and right 45", "fact": "tests.balance_eyes_open_s.weaker", "holds": true, "label": "single-leg balance, eyes open, weaker leg", "op": ">=", "threshold": {"name": "balance.test_cap_s", "source": {"citation": "Springer BA, et al. Normative values for the unipedal stance test with eyes open and closed. J Geriatr Phys Ther 2007;30(1):8-15", "evidence": "norm", "key": "springer2007", "year": 2007}, "unit": "s", "value": 45}, "value": 45}], "holds": true}, {"derived": "45 / 45 x 100", "fact": "tests.balance_eyes_open_s.lsi", "holds": true, "label": "single-leg balance, eyes open, symmetry between legs (weaker / stronger x 100)", "op": ">=", "threshold": {"name": "symmetry.lsi_min", "source": {"based_on": ["gokeler2017"], "citation": "footcoach design: limb symmetry index >= 90 borrowed from return-to-sport test batteries (Gokeler 2017) and applied to the foot and ankle", "evidence": "design", "key": "design-lsi", "note": "a default chosen by footcoach from the cited evidence, not a published cut-off", "year": 2017}, "unit": "%", "value": 90}, "value": 100}], "family": "progression", "rule": "gate-p1-balance-eyes-open", "sources": [{"citation": "Springer BA, et al. Normative values for the unipedal stance test with eyes open and closed. J Geriatr Phys Ther 2007;30(1):8-15", "evidence": "norm", "key": "springer2007", "year": 2007}, {"based_on": ["gokeler2017"], "citation": "footcoach design: limb symmetry index >= 90 borrowed from return-to-sport test batteries (Gokeler 2017) and applied to the foot and ankle", "evidence": "design", "key": "design-lsi", "note": "a default chosen by footcoach from the cited evidence, not a published cut-off", "year": 2017}], "step": 3, "title": "Gate 1 -> 2: eyes-open single-leg balance at the age norm on both legs, LSI >= 90"}, {"concluded": {"finding": "red_flag", "value": "numbness_tingling"}, "conditions": [{"fact": "red_flags.numbness_tingling", "holds": true, "label": "burning, tingling or numbness in the heel or foot", "literal": true, "op": "==", "value": true}], "family": "red_flags", "rule": "red-flag-numbness-tingling", "sources": [{"citation": "Tu P, Bytomski JR. Diagnosis of heel pain. Am Fam Physician 2011;84(8):909-16", "evidence": "consensus", "key": "tu2011", "year": 2011}], "step": 4, "title": "Red flag: Burning, tingling or numbness in the heel or foot"}, {"concluded": {"finding": "gate", "value": "p1-weeks"}, "conditions": [{"fact": "program.phase", "holds": true, "label": "current phase 1-5", "literal": 1, "op": "==", "value": 1}, {"fact": "program.weeks_in_phase", "holds": true, "label": "weeks in the current phase", "op": ">=", "threshold": {"name": "phase.min_weeks", "source": {"based_on": ["rathleff2015", "us-army-rtr2023"], "citation": "footcoach design: at least 2 weeks a phase (4 before maintenance), following the Rathleff 2015 dosing steps and the US Army return-to-run protocol", "evidence": "design", "key": "design-phase-weeks", "note": "a default chosen by footcoach from the cited evidence, not a published cut-off"}, "unit": "weeks", "value": 2}, "value": 2}], "family": "progression", "rule": "gate-p1-weeks", "sources": [{"based_on": ["rathleff2015", "us-army-rtr2023"], "citation": "footcoach design: at least 2 weeks a phase (4 before maintenance), following the Rathleff 2015 dosing steps and the US Army return-to-run protocol", "evidence": "design", "key": "design-phase-weeks", "note": "a default chosen by footcoach from the cited evidence, not a published cut-off"}], "step": 5, "title": "Gate 1 -> 2: at least 2 weeks in phase 1"}, {"concluded": {"finding": "gates_met", "value": "yes"}, "conditions": [{"fact": "program.phase", "holds": true, "label": "current phase 1-5", "literal": 1, "op": "==", "value": 1}, {"finding": "gate", "from_rule": "gate-p1-weeks", "from_step": 5, "holds": true, "value": "p1-weeks"}, {"finding": "gate", "from_rule": "gate-p1-balance-eyes-open", "from_step": 3, "holds": true, "value": "p1-balance-eyes-open"}, {"finding": "gate", "from_rule": "gate-p1-heel-raises", "from_step": 2, "holds": true, "value": "p1-heel-raises"}], "family": "progression", "rule": "gates-met-phase-1", "sources": [{"based_on": ["rathleff2015", "us-army-rtr2023"], "citation": "footcoach design: at least 2 weeks a phase (4 before maintenance), following the Rathleff 2015 dosing steps and the US Army return-to-run protocol", "evidence": "design", "key": "design-phase-weeks", "note": "a default chosen by footcoach from the cited evidence, not a published cut-off"}], "step": 6, "title": "Every gate from phase 1 to phase 2 is met"}, {"conditions": [{"finding": "red_flag", "from_rule": "red-flag-numbness-tingling", "from_step": 4, "holds": true, "value": "numbness_tingling"}], "family": "red_flags", "recommended": "referral", "rule": "refer-red-flag", "sources": [{"citation": "Tu P, Bytomski JR. Diagnosis of heel pain. Am Fam Physician 2011;84(8):909-16", "evidence": "consensus", "key": "tu2011", "year": 2011}], "step": 7, "title": "Refer on any red flag"}, {"concluded": {"finding": "progress_ready", "value": "yes"}, "conditions": [{"fact": "program.phase", "holds": true, "label": "current phase 1-5", "literal": 1, "op": "==", "value": 1}, {"finding": "pain_band", "from_rule": "pain-green", "from_step": 1, "holds": true, "value": "green"}, {"finding": "gates_met", "from_rule": "gates-met-phase-1", "from_step": 6, "holds": true, "value": "yes"}], "family": "progression", "recommended": "progression", "rule": "progress-from-phase-1", "sources": [{"citation": "Springer BA, et al. Normative values for the unipedal stance test with eyes open and closed. J Geriatr Phys Ther 2007;30(1):8-15", "evidence": "norm", "key": "springer2007", "year": 2007}, {"citation": "Rathleff MS, et al. High-load strength training improves outcome in patients with plantar fasciitis. Scand J Med Sci Sports 2015;25(3):e292-300", "evidence": "trial", "key": "rathleff2015", "year": 2015}, {"based_on": ["rathleff2015", "us-army-rtr2023"], "citation": "footcoach design: at least 2 weeks a phase (4 before maintenance), following the Rathleff 2015 dosing steps and the US Army return-to-run protocol", "evidence": "design", "key": "design-phase-weeks", "note": "a default chosen by footcoach from the cited evidence, not a published cut-off"}, {"citation": "Silbernagel KG, et al. Continued sports activity, using a pain-monitoring model, during rehabilitation in patients with Achilles tendinopathy. Am J Sports Med 2007;35(6):897-906", "evidence": "trial", "key": "silbernagel2007", "year": 2007}], "step": 8, "superseded_by": "refer", "title": "Progress from phase 1 (Foundation) to phase 2"}], "why_not": []}');
CREATE TABLE diary (
            runner_id TEXT NOT NULL REFERENCES runners(id),
            week INTEGER NOT NULL CHECK (week IS NULL OR (week >= 0)),
            pain_morning INTEGER CHECK (pain_morning IS NULL OR (pain_morning >= 0 AND pain_morning <= 10)),
            balance_open_left REAL CHECK (balance_open_left IS NULL OR (balance_open_left >= 0 AND balance_open_left <= 45)),
            balance_open_right REAL CHECK (balance_open_right IS NULL OR (balance_open_right >= 0 AND balance_open_right <= 45)),
            heel_raises_left INTEGER CHECK (heel_raises_left IS NULL OR (heel_raises_left >= 0 AND heel_raises_left <= 200)),
            heel_raises_right INTEGER CHECK (heel_raises_right IS NULL OR (heel_raises_right >= 0 AND heel_raises_right <= 200)),
            foot_fatigue INTEGER CHECK (foot_fatigue IS NULL OR (foot_fatigue >= 0 AND foot_fatigue <= 10)),
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (runner_id, week),
            CHECK ((balance_open_left IS NULL) = (balance_open_right IS NULL)),
            CHECK ((heel_raises_left IS NULL) = (heel_raises_right IS NULL))
        ) STRICT;
CREATE TABLE overrides (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id),
            action TEXT NOT NULL CHECK (action IS NULL OR action IN ('refer', 'regress', 'hold', 'progress')),
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            author TEXT,
            created_at TEXT NOT NULL
        ) STRICT;
INSERT INTO "overrides" VALUES(1,1,'hold','explained by a tight lace','PT-A','2026-11-30T15:14:29+00:00');
CREATE TABLE report_red_flags (
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            flag TEXT NOT NULL CHECK (flag IS NULL OR flag IN ('numbness_tingling', 'night_pain', 'heel_squeeze_pain', 'cannot_hop', 'trauma_cannot_bear_weight', 'fever_hot_red_heel', 'sudden_pop', 'bilateral_inflammatory')),
            PRIMARY KEY (report_id, position)
        ) STRICT;
INSERT INTO "report_red_flags" VALUES(1,0,'numbness_tingling');
CREATE TABLE report_shoes (
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL CHECK (length(name) > 0),
            km REAL CHECK (km IS NULL OR (km >= 0)),
            drop_mm REAL CHECK (drop_mm IS NULL OR (drop_mm >= 0 AND drop_mm <= 20)),
            minimalist INTEGER NOT NULL DEFAULT 0 CHECK (minimalist IN (0, 1)),
            weeks_worn INTEGER CHECK (weeks_worn IS NULL OR (weeks_worn >= 0)),
            PRIMARY KEY (report_id, position)
        ) STRICT;
CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            runner_id TEXT NOT NULL REFERENCES runners(id),
            week INTEGER NOT NULL CHECK (week IS NULL OR (week >= 0)),
            phase INTEGER NOT NULL CHECK (phase BETWEEN 1 AND 5),
            weeks_in_phase INTEGER NOT NULL CHECK (weeks_in_phase IS NULL OR (weeks_in_phase >= 0)),
            weeks_in_program INTEGER CHECK (weeks_in_program IS NULL OR weeks_in_program >= weeks_in_phase),
            pain_during INTEGER NOT NULL CHECK (pain_during IS NULL OR (pain_during >= 0 AND pain_during <= 10)),
            pain_after INTEGER NOT NULL CHECK (pain_after IS NULL OR (pain_after >= 0 AND pain_after <= 10)),
            pain_morning INTEGER NOT NULL CHECK (pain_morning IS NULL OR (pain_morning >= 0 AND pain_morning <= 10)),
            settled_next_morning INTEGER NOT NULL CHECK (settled_next_morning IN (0, 1)),
            sharp INTEGER NOT NULL DEFAULT 0 CHECK (sharp IN (0, 1)),
            balance_open_left REAL CHECK (balance_open_left IS NULL OR (balance_open_left >= 0 AND balance_open_left <= 45)),
            balance_open_right REAL CHECK (balance_open_right IS NULL OR (balance_open_right >= 0 AND balance_open_right <= 45)),
            balance_closed_left REAL CHECK (balance_closed_left IS NULL OR (balance_closed_left >= 0 AND balance_closed_left <= 45)),
            balance_closed_right REAL CHECK (balance_closed_right IS NULL OR (balance_closed_right >= 0 AND balance_closed_right <= 45)),
            heel_raises_left INTEGER CHECK (heel_raises_left IS NULL OR (heel_raises_left >= 0 AND heel_raises_left <= 200)),
            heel_raises_right INTEGER CHECK (heel_raises_right IS NULL OR (heel_raises_right >= 0 AND heel_raises_right <= 200)),
            hop_pain INTEGER CHECK (hop_pain IS NULL OR (hop_pain >= 0 AND hop_pain <= 10)),
            weekly_km REAL CHECK (weekly_km IS NULL OR (weekly_km >= 0)),
            previous_weekly_km REAL CHECK (previous_weekly_km IS NULL OR (previous_weekly_km >= 0)),
            longest_run_km_30d REAL CHECK (longest_run_km_30d IS NULL OR (longest_run_km_30d >= 0)),
            planned_long_run_km REAL CHECK (planned_long_run_km IS NULL OR (planned_long_run_km >= 0)),
            changed TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(changed)),
            source TEXT NOT NULL CHECK (source IN ('import', 'diary')),
            recorded_at TEXT NOT NULL,
            CHECK ((balance_open_left IS NULL) = (balance_open_right IS NULL)),
            CHECK ((balance_closed_left IS NULL) = (balance_closed_right IS NULL)),
            CHECK ((heel_raises_left IS NULL) = (heel_raises_right IS NULL))
        ) STRICT;
INSERT INTO "reports" VALUES(1,'r-v1',2,1,2,NULL,2,2,3,1,0,45.0,45.0,NULL,NULL,15,15,NULL,NULL,NULL,NULL,NULL,'["pain.after", "pain.during", "pain.morning", "pain.settled_next_morning", "pain.sharp", "program.phase", "program.weeks_in_phase", "red_flags", "shoes", "tests.balance_eyes_open_s", "tests.heel_raises"]','import','2026-11-30T15:14:28+00:00');
CREATE TABLE runners (
            id TEXT PRIMARY KEY CHECK (length(id) > 0),
            age INTEGER NOT NULL CHECK (age BETWEEN 12 AND 100),
            sex TEXT CHECK (sex IS NULL OR sex IN ('female', 'male')),
            experience TEXT CHECK (experience IS NULL OR experience IN ('novice', 'occasional', 'regular')),
            created_at TEXT NOT NULL
        ) STRICT;
INSERT INTO "runners" VALUES('r-v1',35,NULL,'occasional','2026-11-30T15:14:28+00:00');
INSERT INTO "runners" VALUES('r-empty',30,NULL,NULL,'2026-11-30T15:14:29+00:00');
CREATE INDEX reports_by_runner ON reports (runner_id, id);
CREATE INDEX assessments_by_runner ON assessments (runner_id, id);
CREATE INDEX overrides_by_assessment ON overrides (assessment_id, id);
CREATE TRIGGER assessments_keep_update BEFORE UPDATE ON assessments BEGIN SELECT RAISE(ABORT, 'the audit trail is never overwritten'); END;
CREATE TRIGGER assessments_keep_delete BEFORE DELETE ON assessments BEGIN SELECT RAISE(ABORT, 'the audit trail is never overwritten'); END;
CREATE TRIGGER overrides_keep_update BEFORE UPDATE ON overrides BEGIN SELECT RAISE(ABORT, 'the audit trail is never overwritten'); END;
CREATE TRIGGER overrides_keep_delete BEFORE DELETE ON overrides BEGIN SELECT RAISE(ABORT, 'the audit trail is never overwritten'); END;
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('assessments',1);
INSERT INTO "sqlite_sequence" VALUES('overrides',1);
COMMIT;
