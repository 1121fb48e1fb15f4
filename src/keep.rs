//! Where the payload is kept (the `payload-file` output): a folder that later steps of the job
//! can read, so a failed delivery loses nothing (`sei-cicd replay`, `actions/upload-artifact`).
//!
//! A folder is claimed only where the job's other steps really share it:
//! - on the runner's machine (the native entry, a composite step, a job container's steps):
//!   `RUNNER_TEMP`;
//! - in a container action (the image says so: `SEI_CICD_CONTAINER_ACTION`): the runner passes
//!   the host's `RUNNER_TEMP` path but does not mount it (actions/runner#1984); it does mount
//!   `$RUNNER_TEMP/_github_home` at `/github/home`. So there the file goes to `/github/home` and
//!   the output names the same file as the host, and every later step, sees it. A `RUNNER_TEMP`
//!   that is a folder inside the container (nektos/act gives `/tmp`, the container's own) is no
//!   shared folder: the file would vanish with the container.
//!
//! Where no folder is shared, nothing is claimed: the error says plainly that the payload could
//! not be kept for later steps. On a terminal or in another CI (not in a workflow) the file goes
//! to `RUNNER_TEMP` when it is set to a folder, else to the system's temporary folder.
//!
//! The file is written whole to a temporary file created new (it fails if the name exists, and
//! never follows a link planted at it), then renamed: it is complete or absent.

use crate::env::RunnerEnv;
use std::path::{Path, PathBuf};

/// Where a container action's home is mounted, and its folder under the host's `RUNNER_TEMP`.
const CONTAINER_HOME: &str = "/github/home";
const HOST_HOME: &str = "_github_home";

/// A folder as this process writes to it and as the job's other steps name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    pub write: PathBuf,
    pub shown: PathBuf,
}

/// Chooses the folder the job's other steps share; `is_dir` tells whether a folder exists here.
/// The error says why there is none (a workflow only: a terminal keeps the file in the system's
/// temporary folder).
pub(crate) fn place(env: &RunnerEnv, is_dir: impl Fn(&Path) -> bool) -> Result<Place, String> {
    let same = |p: PathBuf| Place {
        write: p.clone(),
        shown: p,
    };
    if !env.in_actions {
        // A terminal or another CI: `RUNNER_TEMP` when someone set it to a folder, else the
        // system's temporary folder.
        let temp = env.runner_temp.clone().filter(|t| is_dir(t));
        return Ok(same(temp.unwrap_or_else(std::env::temp_dir)));
    }
    let home = Path::new(CONTAINER_HOME);
    let mounted_home = || Place {
        write: home.to_owned(),
        shown: env
            .runner_temp
            .as_ref()
            .map_or_else(|| home.to_owned(), |t| t.join(HOST_HOME)),
    };
    match &env.runner_temp {
        _ if env.container_action && is_dir(home) => Ok(mounted_home()),
        _ if env.container_action => Err(format!(
            "this container action shares no folder with the job's other steps: {CONTAINER_HOME} \
             is not mounted (a runner such as nektos/act), and {} is the container's own, gone \
             with it",
            env.runner_temp.as_ref().map_or_else(
                || "the system's temporary folder".to_owned(),
                |t| format!("RUNNER_TEMP ({})", t.display())
            )
        )),
        Some(temp) if is_dir(temp) => Ok(same(temp.clone())),
        _ if is_dir(home) => Ok(mounted_home()),
        Some(temp) => Err(format!(
            "RUNNER_TEMP ({}) is not a folder here, and {CONTAINER_HOME} is not mounted",
            temp.display()
        )),
        None => Err(format!(
            "RUNNER_TEMP is not set, and {CONTAINER_HOME} is not mounted"
        )),
    }
}

/// [`place`], or the system's temporary folder (for what only this process reads again: a
/// backfill's payloads without a state file).
pub(crate) fn place_or_temp(env: &RunnerEnv) -> Place {
    place(env, Path::is_dir).unwrap_or_else(|_| Place {
        write: std::env::temp_dir(),
        shown: std::env::temp_dir(),
    })
}

/// What a kept file holds: the payload of a report that was sent (or tried), or of a dry run,
/// kept apart so that a dry run never overwrites the payload a failed report kept for replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Report,
    DryRun,
}

/// `sei-cicd-payload-<execution id>.json` (`.dry-run.json` for a dry run), with anything but
/// letters, digits and `-` replaced.
pub(crate) fn file_name(execution_id: &str, kind: Kind) -> String {
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

/// Writes `body` (whole, then renamed into place) where the job's other steps can read it;
/// returns the path they see. The error says plainly why it could not be kept.
pub(crate) fn save(
    env: &RunnerEnv,
    execution_id: &str,
    kind: Kind,
    body: &[u8],
) -> Result<PathBuf, String> {
    let place = place(env, Path::is_dir)
        .map_err(|why| format!("the payload could not be kept for later steps: {why}"))?;
    save_in(&place, &file_name(execution_id, kind), body)
}

/// Writes `body` as `name` in `place`: to a temporary file created new (never through a file or
/// link already at its name), then renamed; returns the path as `place` shows it (a backfill
/// keeps what failed beside its state file).
pub(crate) fn save_in(place: &Place, name: &str, body: &[u8]) -> Result<PathBuf, String> {
    let tmp = place
        .write
        .join(format!(".{name}.{}.tmp", std::process::id()));
    let failed = |e: std::io::Error| {
        format!(
            "could not keep a copy of the payload: could not write {name} in the folder {} ({e})",
            place.write.display()
        )
    };
    let written = create_new(&tmp).and_then(|mut f| {
        use std::io::Write;
        f.write_all(body)?;
        f.sync_all()
    });
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            let _ = std::fs::remove_file(&tmp);
        }
        return Err(failed(e));
    }
    if let Err(e) = std::fs::rename(&tmp, place.write.join(name)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(failed(e));
    }
    Ok(place.shown.join(name))
}

/// A file created new, for writing: it fails if anything (a file, a link) is at `path`, and on
/// Unix never follows a link there (`O_EXCL | O_NOFOLLOW`).
fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// Reads a kept file, never through a link (`O_NOFOLLOW` on Unix), at most `max` bytes: a file
/// a backfill's state names, which a cache may have restored.
pub(crate) fn read_kept(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a file"));
    }
    let mut body = Vec::new();
    file.take(max + 1).read_to_end(&mut body)?;
    if body.len() as u64 > max {
        return Err(std::io::Error::other(format!("larger than {max} bytes")));
    }
    Ok(body)
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

    fn container(temp: Option<&str>) -> RunnerEnv {
        RunnerEnv {
            container_action: true,
            ..env(temp, true)
        }
    }

    #[test]
    fn runner_temp_when_it_is_there() {
        let p = place(&env(Some("/home/runner/work/_temp"), true), |_| true).unwrap();
        assert_eq!(p.write, PathBuf::from("/home/runner/work/_temp"));
        assert_eq!(p.shown, p.write);
    }

    #[test]
    fn in_a_container_action_the_mounted_home_named_as_the_host_sees_it() {
        let p = place(&container(Some("/home/runner/work/_temp")), |d| {
            d == Path::new("/github/home")
        })
        .unwrap();
        assert_eq!(p.write, PathBuf::from("/github/home"));
        assert_eq!(
            p.shown,
            PathBuf::from("/home/runner/work/_temp/_github_home")
        );
        // An older image, not flagged: the same, as RUNNER_TEMP is no folder here.
        let p = place(&env(Some("/home/runner/work/_temp"), true), |d| {
            d == Path::new("/github/home")
        })
        .unwrap();
        assert_eq!(p.write, PathBuf::from("/github/home"));
    }

    #[test]
    fn a_container_of_its_own_keeps_nothing_for_later_steps() {
        // nektos/act: RUNNER_TEMP=/tmp, a folder of the action's own container; no home mounted.
        let why = place(&container(Some("/tmp")), |d| d == Path::new("/tmp")).unwrap_err();
        assert!(
            why.contains("shares no folder with the job's other steps"),
            "{why}"
        );
        assert!(
            why.contains("RUNNER_TEMP (/tmp) is the container's own"),
            "{why}"
        );
        // Neither folder there at all.
        let why = place(&env(Some("/home/runner/work/_temp"), true), |_| false).unwrap_err();
        assert!(why.contains("is not a folder here"), "{why}");
        // The same /tmp for the steps of act's job container: shared.
        assert!(place(&env(Some("/tmp"), true), |d| d == Path::new("/tmp")).is_ok());
    }

    #[test]
    fn on_a_terminal_the_system_temp_folder() {
        let p = place(&env(None, false), |_| false).unwrap();
        assert_eq!(p.write, std::env::temp_dir());
        let p = place(&env(Some("/nowhere"), false), |d| {
            d == Path::new("/github/home")
        })
        .unwrap();
        assert_eq!(
            p.write,
            std::env::temp_dir(),
            "not in Actions: no container guess"
        );
        let p = place(&env(Some("/ci/temp"), false), |d| {
            d == Path::new("/ci/temp")
        })
        .unwrap();
        assert_eq!(
            p.write,
            Path::new("/ci/temp"),
            "RUNNER_TEMP set to a folder"
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
            in_actions: true,
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

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_temporary_name_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let place = Place {
            write: dir.path().to_owned(),
            shown: dir.path().to_owned(),
        };
        let name = "sei-cicd-payload-9-1.json";
        let tmp = dir
            .path()
            .join(format!(".{name}.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        let why = save_in(&place, name, b"{\"x\":1}").unwrap_err();
        assert!(why.contains("could not write"), "{why}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(
            std::fs::symlink_metadata(&tmp).unwrap().is_symlink(),
            "left as it was"
        );
        assert!(!dir.path().join(name).exists());
        // A file there: the same.
        std::fs::remove_file(&tmp).unwrap();
        std::fs::write(&tmp, "someone's").unwrap();
        assert!(save_in(&place, name, b"{}").is_err());
        assert_eq!(std::fs::read_to_string(&tmp).unwrap(), "someone's");
        // Reading a kept file never follows a link either.
        let link = dir.path().join("sei-cicd-payload-8-1.json");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(read_kept(&link, 1024).is_err());
        assert_eq!(read_kept(&victim, 1024).unwrap(), b"precious");
        assert!(read_kept(&victim, 3).is_err(), "bounded");
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
