//! The job files in ci/examples/: each runs `--shard auto` under its engine's
//! variables; the Slurm script runs here as Slurm would run one array task.

mod support;

use support::root;

fn read(name: &str) -> String {
    let path = root().join("ci/examples").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn each_engine_has_a_job_file_that_shards_automatically() {
    for (file, vars) in [
        (
            "github-actions.yml",
            &[
                "SOCKSPEC_SHARD_INDEX: ${{ strategy.job-index }}",
                "SOCKSPEC_SHARD_COUNT: ${{ strategy.job-total }}",
            ][..],
        ),
        ("gitlab-ci.yml", &["parallel: 3", "$CI_NODE_INDEX"][..]),
        (
            "slurm-grade.sbatch",
            &["#SBATCH --array=1-3", "$SLURM_ARRAY_TASK_ID"][..],
        ),
        (
            "k8s-indexed-job.yaml",
            &[
                "completionMode: Indexed",
                "SOCKSPEC_SHARD_COUNT",
                "$JOB_COMPLETION_INDEX",
            ][..],
        ),
    ] {
        let text = read(file);
        // Where a job installs packages, the sandbox's own come along: without
        // them sockspec grades with no sandbox at all.
        if text.contains("apt-get install") {
            for package in ["bubblewrap", "nftables"] {
                assert!(text.contains(package), "{file} does not install {package}");
            }
        }
        assert!(text.contains("--shard auto"), "{file}");
        assert!(text.contains("--merge"), "{file} does not merge");
        for var in vars {
            assert!(text.contains(var), "{file} lacks {var}");
        }
    }
}

#[test]
fn the_slurm_script_grades_its_array_tasks_shard() {
    let out = tempfile::tempdir().unwrap();
    let binary = assert_cmd::cargo::cargo_bin("sockspec");
    let mut graded = Vec::new();
    // An array starting at 0 (--array=0-2): task 1 is the second shard.
    for id in ["0", "1", "2"] {
        let run = std::process::Command::new("bash")
            .arg("ci/examples/slurm-grade.sbatch")
            .current_dir(root())
            .env("SOCKSPEC", &binary)
            .env("CLASS", "fixtures/class-c")
            .env("MANIFEST", "fixtures/class-c/grading.toml")
            .env("OUT", out.path())
            .env("SLURM_ARRAY_TASK_ID", id)
            .env("SLURM_ARRAY_TASK_MIN", "0")
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .env("SLURM_CPUS_PER_TASK", "2")
            .env_remove("SOCKSPEC_SHARD_INDEX")
            .env_remove("CI_NODE_INDEX")
            .env_remove("JOB_COMPLETION_INDEX")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{text}");
        let k = id.parse::<u32>().unwrap() + 1;
        assert!(
            text.contains(&format!("grading shard {k}/3 (Slurm job array")),
            "{text}"
        );
        let csv =
            std::fs::read_to_string(out.path().join(format!("shard-{id}/grades.csv"))).unwrap();
        graded.extend(
            csv.lines()
                .skip(1)
                .map(|l| l.split(',').next().unwrap().to_string()),
        );
    }
    graded.sort();
    assert_eq!(
        graded,
        ["ada", "ben", "cara"],
        "each student in exactly one shard"
    );
}
