//! `prepare` end to end against a stand-in `npm` on PATH (the real registries are exercised by
//! `.ci/run`): built once, cached the second time, a failing client named with its message.

use std::path::Path;

use ladder_data::prepare::{self, Outcome, SourceSpec};
use ladder_data::Corpus;

const SOURCES: &str = r#"
[[source]]
name = "tiny"
domain = "test"
registry = "npm"
package = "@fake/tiny-corpus"
version = "0.1.0"
license = "test"
extract = { kind = "split", glob = "package/data/*.txt", separator = "\n%\n" }

[[source]]
name = "broken"
domain = "test"
registry = "npm"
package = "@fake/missing"
version = "9.9.9"
license = "test"
extract = { kind = "files", glob = "package/*.txt" }
"#;

/// A fake `npm pack` that packs a fixture folder for `@fake/tiny-corpus@0.1.0` and fails for
/// anything else, counting its calls.
fn fake_npm(bin: &Path, fixture: &Path, calls: &Path) {
    let script = format!(
        "#!/bin/sh\necho call >> {calls}\nif [ \"$3\" = \"@fake/tiny-corpus@0.1.0\" ]; then tar czf fake-tiny-corpus-0.1.0.tgz -C {fixture} package && echo fake-tiny-corpus-0.1.0.tgz; else echo \"npm error 404 Not Found - GET https://registry.npmjs.org/$3\" >&2; exit 1; fi\n",
        calls = calls.display(),
        fixture = fixture.display()
    );
    std::fs::write(bin.join("npm"), script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("npm"), std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn prepare_builds_once_then_skips_and_names_a_failing_package() {
    let root = std::env::temp_dir().join(format!("ladder-data-prepare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (bin, fixture, cache) = (root.join("bin"), root.join("fixture"), root.join("cache"));
    std::fs::create_dir_all(fixture.join("package/data")).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(fixture.join("package/data/a.txt"), "First quip.\n%\nSecond quip,\r\ntwo lines.\n%\n\n%\nThird.").unwrap();
    std::fs::write(fixture.join("package/data/b.txt"), "Fourth.").unwrap();
    let calls = root.join("calls");
    fake_npm(&bin, &fixture, &calls);
    std::env::set_var("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()));

    let specs = SourceSpec::parse(SOURCES, Path::new("test.toml")).unwrap();
    let tiny = SourceSpec::select(&specs, &["tiny".into()]).unwrap();
    let mut seen = Vec::new();
    let manifest = prepare::prepare(&tiny, &cache, |s, o| seen.push((s.name.clone(), matches!(o, Outcome::Built(_))))).unwrap();
    assert_eq!(seen, vec![("tiny".to_string(), true)]);
    let entry = manifest.get("tiny").unwrap();
    assert_eq!((entry.documents, entry.version.as_str()), (4, "0.1.0"));
    let corpus = Corpus::read(&[prepare::corpus_path(&cache, "tiny")]).unwrap();
    assert_eq!(corpus.documents, vec!["First quip.", "Second quip,\ntwo lines.", "Third.", "Fourth."]);

    // Second run: nothing fetched, the same manifest.
    seen.clear();
    let again = prepare::prepare(&tiny, &cache, |s, o| seen.push((s.name.clone(), matches!(o, Outcome::Built(_))))).unwrap();
    assert_eq!(seen, vec![("tiny".to_string(), false)]);
    assert_eq!(again, manifest);
    assert_eq!(std::fs::read_to_string(&calls).unwrap().lines().count(), 1);

    // A package the registry does not have: the error names it and carries npm's message; the
    // built source stays in the manifest.
    let err = prepare::prepare(&specs, &cache, |_, _| {}).unwrap_err().to_string();
    assert!(err.contains("@fake/missing") && err.contains("404"), "{err}");
    assert!(prepare::Manifest::load(&cache).unwrap().get("tiny").is_some());
    assert!(SourceSpec::select(&specs, &["nope".into()]).unwrap_err().to_string().contains("known: tiny, broken"));
    let _ = std::fs::remove_dir_all(&root);
}
