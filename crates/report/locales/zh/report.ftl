# 报告中的标签和标题。

outcome-pass = 通过
outcome-fail = 失败
outcome-warn = 警告
outcome-info = 信息
outcome-skip = 跳过
outcome-error = 错误

level-must = 必须
level-should = 应当
level-info = 信息

report-header = sockspec { $version } — { $name }，角色 { $role }（约定 { $contract }，种子 { $seed }）
report-note = 注意：{ $text }
report-summary = 共 { $total } 项检查：{ $pass } 通过，{ $fail } 失败，{ $warn } 警告，{ $info } 信息，{ $skip } 跳过，{ $error } 错误
report-title = sockspec：{ $name }，角色 { $role }
report-counts = { $pass } 通过，{ $fail } 失败，{ $warn } 警告，{ $info } 信息，{ $skip } 跳过，{ $error } 错误
column-check = 检查
column-level = 级别
column-outcome = 结果
column-message = 说明

evidence-smallest-input = 最小输入
evidence-on-the-wire = 线上收发
evidence-earlier-events = … 之前还有 { $count } 个事件
evidence-stderr = 程序的 stderr（末尾）
evidence-stdout = 程序的 stdout（末尾）
evidence-facts = 事实
evidence-rerun = 重新运行
evidence-payload = #{ $n }：{ $payload }
fact-target = 程序：{ $state }
fact-seed = 种子 { $seed }
fact-case = 第 { $case } 个用例
fact-reproduced = 复现 { $failed }/{ $runs }
fact-blocked-by = 被 { $check } 阻断

notice-no-sandbox = 没有沙箱：{ $reason }；程序在主机的回环地址上运行，需要沙箱的检查被跳过
notice-flag-no-sandbox = --no-sandbox：程序在主机的回环地址上运行

grade-class-summary = 全班汇总
grade-no-students = 没有评分的学生。
grade-students = 学生
grade-mean = 平均
grade-median = 中位数
grade-distribution = 分数分布
grade-most-missed = 未通过人数最多的检查
grade-example = 诊断示例
grade-score = 得分
grade-check = 检查
grade-result = 结果
grade-points = 分数
grade-not-run = 未评分

# HTML 报告。
html-peers = sockspec 的对端
html-target = 被测程序
html-transcript = 线上的字节
html-spec = 依据
html-task = 任务
html-file = 文件
html-build = 构建
html-student = 学生
html-matrix = 学生 × 检查项
html-legend = 图例
html-back = 全班汇总
html-eof = EOF
html-rst = RST
html-timeout = 超时
html-role = 角色
html-kind = 类型
html-language = 语言
html-contract = 约定
html-seed = 种子
html-sandbox = 沙箱
html-yes = 是
html-no = 否
html-percent = 得分（占满分的百分比）
html-bytes = { $count } 字节
html-footer = sockspec { $version } — 独立的报告文件：不从网络加载任何内容。

# 评分清单中的构建步骤。
build-ok = 构建成功
build-failed-status = 构建失败（{ $status }）
build-timed-out = 未在 { $seconds } 秒内完成
build-could-not-start = 无法启动：{ $reason }
build-problem = 构建失败，编译器的输出见上方的构建输出：{ $first }
