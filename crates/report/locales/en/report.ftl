# Labels and headings of the reports.

outcome-pass = pass
outcome-fail = fail
outcome-warn = warn
outcome-info = info
outcome-skip = skip
outcome-error = error

level-must = must
level-should = should
level-info = info

report-header = sockspec { $version } — { $name } as { $role } (contract { $contract }, seed { $seed })
report-note = note: { $text }
report-summary = { $total } checks: { $pass } pass, { $fail } fail, { $warn } warn, { $info } info, { $skip } skip, { $error } error
report-title = sockspec: { $name } as { $role }
report-counts = { $pass } pass, { $fail } fail, { $warn } warn, { $info } info, { $skip } skip, { $error } error
column-check = check
column-level = level
column-outcome = outcome
column-message = message

evidence-smallest-input = smallest input
evidence-on-the-wire = on the wire
evidence-earlier-events = … { $count } earlier events
evidence-stderr = target's stderr (end)
evidence-stdout = target's stdout (end)
evidence-facts = facts
evidence-rerun = rerun
evidence-payload = #{ $n }: { $payload }
fact-target = target: { $state }
fact-seed = seed { $seed }
fact-case = case { $case }
fact-reproduced = reproduced { $failed }/{ $runs }
fact-blocked-by = blocked by { $check }

notice-no-sandbox = no sandbox: { $reason }; the program runs on the host's loopback, and checks that need the sandbox are skipped
notice-flag-no-sandbox = --no-sandbox: the program runs on the host's loopback

grade-class-summary = Class summary
grade-no-students = No students were graded.
grade-students = Students
grade-mean = Mean
grade-median = Median
grade-distribution = Score distribution
grade-most-missed = Checks most students did not pass
grade-example = Example diagnosis
grade-score = Score
grade-check = Check
grade-result = Result
grade-points = Points
grade-not-run = Not graded

# The HTML reports.
html-peers = sockspec's peers
html-target = target
html-transcript = on the wire
html-spec = reference
html-task = Task
html-file = file
html-build = build
html-student = Student
html-matrix = Students × checks
html-legend = legend
html-back = class summary
html-eof = EOF
html-rst = RST
html-timeout = timeout
html-role = role
html-kind = kind
html-language = language
html-contract = contract
html-seed = seed
html-sandbox = sandbox
html-yes = yes
html-no = no
html-percent = score (% of the maximum)
html-bytes = { $count } B
html-footer = sockspec { $version } — a self-contained report: nothing is loaded from the network.

# Build steps of a grading manifest.
build-ok = built
build-failed-status = failed ({ $status })
build-timed-out = did not finish within { $seconds } s
build-could-not-start = could not start: { $reason }
build-problem = the build failed; the compiler's message is in the build output above: { $first }
