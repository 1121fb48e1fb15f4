//! Where the payload is kept (the `payload-file` output): a folder that later steps of the job
//! can read, so a failed delivery loses nothing (`sei-cicd replay`, `actions/upload-artifact`).
//!
//! `RUNNER_TEMP` when this process can see it. In a container action the runner passes the
//! host's `RUNNER_TEMP` path but does not mount it (actions/runner#1984); it does mount
//! `$RUNNER_TEMP/_github_home` at `/github/home`. So there the file goes to `/github/home` and the
//! output names the same file as the host, and every later step, sees it. Elsewhere: the system's
//! temporary folder. The file is written whole, then renamed: it is complete or absent.

use crate::env::RunnerEnv;
use std::path::{Path, PathBuf};

/// Where a container action's home is mounted, and its folder under the host's `RUNNER_TEMP`.
const CONTAINER_HOME: &str = "/github/home";
const HOST_HOME: &str = "_github_home";

/// A folder as this process writes to it and as the job's other steps name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub write: PathBuf,
    pub shown: PathBuf,
}

/// Chooses the folder; `is_dir` tells whether a folder exists here.
pub fn place(env: &RunnerEnv, is_dir: impl Fn(&Path) -> bool) -> Place {
    let same = |p: PathBuf| Place {
        write: p.clone(),
        shown: p,
    };
    match &env.runner_temp {
        Some(temp) if is_dir(temp) => same(temp.clone()),
        Some(temp) if env.in_actions && is_dir(Path::new(CONTAINER_HOME)) => Place {
            write: PathBuf::from(CONTAINER_HOME),
            shown: temp.join(HOST_HOME),
        },
        _ => same(std::env::temp_dir()),
    }
}

/// What a kept file holds: the payload of a report that was sent (or tried), or of a dry run,
/// kept apart so that a dry run never overwrites the payload a failed report kept for replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Report,
    DryRun,
}

/// `sei-cicd-payload-<execution id>.json` (`.dry-run.json` for a dry run), with anything but
/// letters, digits and `-` replaced.
pub fn file_name(execution_id: &str, kind: Kind) -> String {
    let safe: String = execution_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match kind {
        Kind::Report => format!("sei-cicd-payload-{safe}.json"),
        Kind::DryRun => format!("sei-cicd-payload-{safe}.dry-run.json"),
    }
}

/// Writes `body` (whole, then renamed into place); returns the path the job's steps see. The
/// error names the folder it tried.
pub fn save(
    env: &RunnerEnv,
    execution_id: &str,
    kind: Kind,
    body: &[u8],
) -> Result<PathBuf, String> {
    save_in(
        &place(env, Path::is_dir),
        &file_name(execution_id, kind),
        body,
    )
}

/// Writes `body` as `name` in `place` (whole, then renamed); returns the path as `place` shows
/// it (a backfill keeps what failed beside its state file).
pub fn save_in(place: &Place, name: &str, body: &[u8]) -> Result<PathBuf, String> {
    let tmp = place
        .write
        .join(format!(".{name}.{}.tmp", std::process::id()));
    let failed = |e: std::io::Error| {
        format!(
            "could not write {name} in the folder {} ({e}); the folder is RUNNER_TEMP when it \
             is a folder here, else /github/home in a container action, else the system's \
             temporary folder",
            place.write.display()
        )
    };
    std::fs::write(&tmp, body).map_err(failed)?;
    if let Err(e) = std::fs::rename(&tmp, place.write.join(name)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(failed(e));
    }
    Ok(place.shown.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(temp: Option<&str>, actions: bool) -> RunnerEnv {
        RunnerEnv {
            runner_temp: temp.map(PathBuf::from),
            in_actions: actions,
            ..RunnerEnv::default()
        }
    }

    #[test]
    fn runner_temp_when_it_is_there() {
        let p = place(&env(Some("/home/runner/work/_temp"), true), |_| true);
        assert_eq!(p.write, PathBuf::from("/home/runner/work/_temp"));
        assert_eq!(p.shown, p.write);
    }

    #[test]
    fn in_a_container_action_the_mounted_home_named_as_the_host_sees_it() {
        let p = place(&env(Some("/home/runner/work/_temp"), true), |d| {
            d == Path::new("/github/home")
        });
        assert_eq!(p.write, PathBuf::from("/github/home"));
        assert_eq!(
            p.shown,
            PathBuf::from("/home/runner/work/_temp/_github_home")
        );
    }

    #[test]
    fn the_system_temp_folder_otherwise() {
        let p = place(&env(None, false), |_| false);
        assert_eq!(p.write, std::env::temp_dir());
        let p = place(&env(Some("/nowhere"), false), |d| {
            d == Path::new("/github/home")
        });
        assert_eq!(
            p.write,
            std::env::temp_dir(),
            "not in Actions: no container guess"
        );
    }

    #[test]
    fn names_are_safe() {
        assert_eq!(
            file_name("123-2", Kind::Report),
            "sei-cicd-payload-123-2.json"
        );
        assert_eq!(
            file_name("../x y", Kind::Report),
            "sei-cicd-payload-___x_y.json"
        );
        assert_eq!(
            file_name("123-2", Kind::DryRun),
            "sei-cicd-payload-123-2.dry-run.json"
        );
    }

    #[test]
    fn saves_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let e = RunnerEnv {
            runner_temp: Some(dir.path().to_owned()),
            ..RunnerEnv::default()
        };
        let path = save(&e, "1-1", Kind::Report, b"{}").unwrap();
        assert_eq!(path, dir.path().join("sei-cicd-payload-1-1.json"));
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
        // A dry run of the same attempt leaves the kept payload as it was.
        save(&e, "1-1", Kind::DryRun, b"[]").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_named() {
        let gone = tempfile::tempdir().unwrap().path().join("gone");
        let place = Place {
            write: gone.clone(),
            shown: gone.clone(),
        };
        let why = save_in(&place, "sei-cicd-payload-1-1.json", b"{}").unwrap_err();
        assert!(
            why.contains(&format!("in the folder {}", gone.display())),
            "{why}"
        );
    }
}
