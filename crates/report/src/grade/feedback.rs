//! A student's feedback in Markdown: their score per task, what failed and
//! why, the smallest input, and their program's traceback. English or Chinese.

use super::record::StudentRecord;
use crate::Report;
use sockspec_harness::Outcome;
use std::fmt::Write;
use std::str::FromStr;

/// The language of feedback and summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Chinese (the course's language).
    Zh,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            _ => Err(format!("unknown language `{s}`; expected en or zh")),
        }
    }
}

/// The words of the outputs in one language.
pub struct Labels {
    /// Heading of the class summary.
    pub class_summary: &'static str,
    /// Said when there is nobody to summarize.
    pub no_students: &'static str,
    /// "Students".
    pub students: &'static str,
    /// "Mean".
    pub mean: &'static str,
    /// "Median".
    pub median: &'static str,
    /// Heading of the score distribution.
    pub distribution: &'static str,
    /// Heading of the most-missed checks.
    pub most_missed: &'static str,
    /// "Example".
    pub example: &'static str,
    /// "Score".
    pub score: &'static str,
    /// "Check".
    pub check: &'static str,
    /// "Result".
    pub result: &'static str,
    /// "Points".
    pub points: &'static str,
    /// Said of a task that did not run.
    pub not_run: &'static str,
    /// Said of the diagnoses' language.
    pub diagnosis_note: &'static str,
}

impl Lang {
    /// The labels in this language.
    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::En => &Labels {
                class_summary: "Class summary",
                no_students: "No students were graded.",
                students: "Students",
                mean: "Mean",
                median: "Median",
                distribution: "Score distribution",
                most_missed: "Checks most students did not pass",
                example: "Example diagnosis",
                score: "Score",
                check: "Check",
                result: "Result",
                points: "Points",
                not_run: "Not graded",
                diagnosis_note: "",
            },
            Lang::Zh => &Labels {
                class_summary: "全班汇总",
                no_students: "没有评分的学生。",
                students: "学生",
                mean: "平均",
                median: "中位数",
                distribution: "分数分布",
                most_missed: "未通过人数最多的检查",
                example: "诊断示例",
                score: "得分",
                check: "检查",
                result: "结果",
                points: "分数",
                not_run: "未评分",
                diagnosis_note: "（诊断说明目前为英文。）",
            },
        }
    }

    /// An outcome's word in this language.
    pub fn outcome(self, outcome: Outcome) -> &'static str {
        match (self, outcome) {
            (Lang::En, o) => o.as_str(),
            (Lang::Zh, Outcome::Pass) => "通过",
            (Lang::Zh, Outcome::Fail) => "失败",
            (Lang::Zh, Outcome::Warn) => "警告",
            (Lang::Zh, Outcome::Info) => "信息",
            (Lang::Zh, Outcome::Skip) => "跳过",
            (Lang::Zh, Outcome::Error) => "错误",
        }
    }
}

/// The feedback file of one student; `reports` holds each task's run, in
/// the record's task order (`None` where the task did not run).
pub fn render(record: &StudentRecord, reports: &[Option<Report>], lang: Lang) -> String {
    let l = lang.labels();
    let mut md = format!(
        "# {} — {} {} / {}\n",
        record.student, l.score, record.total, record.max
    );
    if !l.diagnosis_note.is_empty() {
        md.push_str(&format!("\n{}\n", l.diagnosis_note));
    }
    for (task, report) in record.tasks.iter().zip(reports) {
        let _ = writeln!(
            md,
            "\n## {} ({}): {} / {}\n",
            task.name, task.role, task.score, task.max
        );
        if let Some(problem) = &task.problem {
            let _ = writeln!(md, "**{}**: {problem}", l.not_run);
            continue;
        }
        let _ = writeln!(
            md,
            "| {} | {} | {} |\n|---|---|---|",
            l.check, l.result, l.points
        );
        for c in &task.checks {
            let _ = writeln!(
                md,
                "| `{}` | {} | {}/{} |",
                c.id,
                lang.outcome(c.outcome),
                c.earned,
                c.points
            );
        }
        if let Some(report) = report {
            md.push_str(&crate::markdown::details(report, 3));
        }
    }
    md
}
