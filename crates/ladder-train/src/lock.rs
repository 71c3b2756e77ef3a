//! One lock per run folder (`run.lock`, holding the pid and host of the process that trains it):
//! two processes (a resubmitted Slurm task beside the first, two `ladder run`s) never train one
//! folder at once. A lock left by a killed process on this host is taken over with a warning.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::TrainError;

/// The lock file's name in a run folder.
pub const FILE: &str = "run.lock";

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "unknown-host".into())
}

impl RunLock {
    /// Takes the lock of run folder `dir` (creating the folder), or says who holds it.
    pub fn acquire(dir: &Path) -> Result<RunLock, TrainError> {
        std::fs::create_dir_all(dir).map_err(|e| TrainError::file(dir, e))?;
        let path = dir.join(FILE);
        let me = format!("{} {}\n", std::process::id(), host());
        loop {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    file.write_all(me.as_bytes()).map_err(|e| TrainError::file(&path, e))?;
                    return Ok(RunLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    let mut parts = holder.split_whitespace();
                    let (pid, their_host) = (parts.next().and_then(|p| p.parse::<u32>().ok()), parts.next().unwrap_or(""));
                    let gone = their_host == host() && pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists());
                    if gone || holder.trim().is_empty() {
                        eprintln!(
                            "warning: {} was left by process {} on {their_host}, which is gone; taking it over",
                            path.display(),
                            pid.map_or("?".into(), |p| p.to_string())
                        );
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    return Err(TrainError::Config(format!(
                        "{} is being trained by process {} on {their_host} (lock {}); wait for it, or remove the lock if that process is gone",
                        dir.display(),
                        pid.map_or("?".into(), |p| p.to_string()),
                        path.display()
                    )));
                }
                Err(e) => return Err(TrainError::file(&path, e)),
            }
        }
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_and_a_dead_holders_is_taken_over() {
        let dir = std::env::temp_dir().join(format!("ladder-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let held = RunLock::acquire(&dir).unwrap();
        let err = RunLock::acquire(&dir).unwrap_err().to_string();
        assert!(err.contains("is being trained by process") && err.contains(&std::process::id().to_string()), "{err}");
        drop(held);
        assert!(!dir.join(FILE).exists());
        // A lock of a process that no longer exists (pids stay below 2^22 on Linux).
        std::fs::write(dir.join(FILE), format!("4194304999 {}\n", host())).unwrap();
        let _taken = RunLock::acquire(&dir).unwrap();
        // Another host's lock cannot be checked: refused.
        drop(_taken);
        std::fs::write(dir.join(FILE), "1 another-node\n").unwrap();
        assert!(RunLock::acquire(&dir).unwrap_err().to_string().contains("another-node"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
