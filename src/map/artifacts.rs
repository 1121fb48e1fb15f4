//! `artifacts`: what a run built (outputs) or consumed (inputs), so SEI can link a CI run to
//! the CD run that deployed its output. SEI links them by an artifact with the same `name` and
//! `qualifier`: CI sends it with `output: true`, CD with `input: true`.
//!
//! The `artifacts` input holds one artifact per line:
//!
//! ```text
//! output container ghcr.io/acme/api@sha256:4f1c...      # a built image
//! input container ghcr.io/acme/api:1.4.2                # the image a deploy used
//! output jar build/libs/api.jar qualifier=1.4.2 hash=sha256:9b...
//! input name=api-bundle qualifier=1.4.2 type=zip
//! ```
//!
//! The first word is `input` or `output`; then an optional type (default `container`) and a
//! reference; then `key=value` fields (`type`, `name`, `qualifier`, `location`, `hash`; values
//! with spaces in double quotes) that override what the reference gives. A container reference
//! is read the way Docker reads it: `name` is the repository with its registry (`nginx` is
//! `docker.io/library/nginx`), `qualifier` the digest when there is one, else the tag (else
//! `latest`), `hash` the digest, `location` the reference as written. For any other type the
//! reference is both `name` and `location`. Blank lines and `#` comments are skipped.
//!
//! A line format rather than YAML: it fits in a workflow's `with:` block as it is, and the one
//! serde YAML crate that was the standard is no longer maintained.

use crate::model;
use crate::payload::Artifact;

/// `type` of the artifacts `include-workflow-artifacts` adds.
pub const WORKFLOW_ARTIFACT: &str = "workflow-artifact";

/// Types read as container image references.
const CONTAINER_TYPES: &[&str] = &["container", "docker", "image", "oci"];

/// Parses the `artifacts` input. Each problem is one message naming the line and the fix.
pub fn parse(text: &str) -> Result<Vec<Artifact>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        match parse_line(line) {
            Ok(a) => out.push(a),
            Err(why) => errors.push(format!(
                "input `artifacts`, line {}: `{line}` {why}. Write one artifact per line, like \
                 `output container ghcr.io/acme/api@sha256:...` or \
                 `input jar name=api qualifier=1.4.2`",
                i + 1
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A `#` starts a comment when it begins the line or follows a space (`#` inside a URL stays).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut quoted = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'#' if !quoted && (i == 0 || bytes[i - 1].is_ascii_whitespace()) => return &line[..i],
            _ => {}
        }
    }
    line
}

fn parse_line(line: &str) -> Result<Artifact, String> {
    let words = split_words(line)?;
    let mut words = words.into_iter();
    let direction = words.next().unwrap_or_default();
    let (input, output) = match direction.to_ascii_lowercase().as_str() {
        "input" => (true, false),
        "output" => (false, true),
        _ => return Err("does not start with `input` or `output`".into()),
    };
    let mut bare = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    for w in words {
        match w.split_once('=') {
            Some((k, v)) if !k.is_empty() && !k.contains('/') && !k.contains(':') => {
                let k = k.to_ascii_lowercase();
                if !["type", "name", "qualifier", "location", "hash"].contains(&k.as_str()) {
                    return Err(format!(
                        "has an unknown field `{k}` (use type, name, qualifier, location, hash)"
                    ));
                }
                fields.push((k, v.to_owned()));
            }
            _ => bare.push(w),
        }
    }
    let (kind, reference) = match bare.as_slice() {
        [] => (None, None),
        [r] => (None, Some(r.clone())),
        [t, r] => (Some(t.clone()), Some(r.clone())),
        _ => return Err("has more than a type and a reference before its fields".into()),
    };
    let field = |k: &str| {
        fields
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let kind = field("type")
        .or(kind)
        .unwrap_or_else(|| "container".to_owned());
    let (mut name, mut qualifier, mut hash, mut location) = (None, None, None, None);
    if let Some(r) = &reference {
        if CONTAINER_TYPES.contains(&kind.to_ascii_lowercase().as_str()) {
            let image = container_reference(r)
                .ok_or_else(|| format!("has `{r}`, which is not a container image reference"))?;
            name = Some(image.name);
            qualifier = Some(image.qualifier);
            hash = image.digest;
        } else {
            name = Some(r.clone());
        }
        location = Some(r.clone());
    }
    let name = field("name")
        .or(name)
        .ok_or("names no artifact (give a reference or `name=`)")?;
    Ok(Artifact {
        input,
        output,
        kind,
        location: field("location").or(location),
        name,
        qualifier: field("qualifier").or(qualifier),
        hash: field("hash").or(hash),
    })
}

/// Splits on whitespace; `key="a b"` and `"a b"` keep their spaces, without the quotes.
fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            c => {
                current.push(c);
                started = true;
            }
        }
    }
    if quoted {
        return Err("has an unclosed `\"`".into());
    }
    if started {
        words.push(current);
    }
    Ok(words)
}

/// A container image reference, read as Docker reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// `registry/path`, with Docker Hub's implicit `docker.io` (and `library/`) added.
    pub name: String,
    /// The digest when given, else the tag, else `latest`.
    pub qualifier: String,
    pub digest: Option<String>,
}

/// Reads `[registry/]path[:tag][@digest]`; `None` when it cannot be an image reference.
pub fn container_reference(reference: &str) -> Option<Image> {
    let r = reference.trim();
    let r = r.strip_prefix("docker://").unwrap_or(r);
    if r.is_empty() || r.chars().any(char::is_whitespace) || r.contains("://") {
        return None;
    }
    let (rest, digest) = match r.split_once('@') {
        Some((rest, d)) if d.contains(':') && !d.starts_with(':') && !d.ends_with(':') => {
            (rest, Some(d.to_owned()))
        }
        Some(_) => return None,
        None => (r, None),
    };
    // A tag is after the last ':' that comes after the last '/' (a registry port is before it).
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (path, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
        None => (rest, None),
    };
    if path.split('/').any(str::is_empty) || tag == Some("") {
        return None;
    }
    let first = path.split('/').next().unwrap_or_default();
    let has_registry =
        path.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let name = if has_registry {
        path.to_owned()
    } else if path.contains('/') {
        format!("docker.io/{path}")
    } else {
        format!("docker.io/library/{path}")
    };
    let qualifier = digest
        .clone()
        .or_else(|| tag.map(str::to_owned))
        .unwrap_or_else(|| "latest".to_owned());
    Some(Image {
        name,
        qualifier,
        digest,
    })
}

/// The run's uploaded artifacts (`include-workflow-artifacts`) as outputs: `name` is the
/// artifact's name, `qualifier` its digest (else its id), `location` its archive URL.
pub fn from_workflow(artifacts: &[model::Artifact]) -> Vec<Artifact> {
    artifacts
        .iter()
        .filter_map(|a| {
            let name = a.name.clone().filter(|n| !n.is_empty())?;
            let digest = a.digest.clone().filter(|d| !d.is_empty());
            Some(Artifact {
                input: false,
                output: true,
                kind: WORKFLOW_ARTIFACT.to_owned(),
                location: a.archive_download_url.clone(),
                name,
                qualifier: digest.clone().or_else(|| a.id.map(|id| id.to_string())),
                hash: digest,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Artifact {
        let mut v = parse(line).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(v.len(), 1);
        v.remove(0)
    }

    const DIGEST: &str = "sha256:4f1c3b9e2d8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e";

    #[test]
    fn a_ci_build_and_the_deploy_of_it_share_name_and_qualifier() {
        let built = one(&format!("output container ghcr.io/acme/api:1.4.2@{DIGEST}"));
        let deployed = one(&format!("input ghcr.io/acme/api@{DIGEST}"));
        assert!(built.output && !built.input);
        assert!(deployed.input && !deployed.output);
        assert_eq!(built.kind, "container");
        assert_eq!(deployed.kind, "container");
        assert_eq!(built.name, "ghcr.io/acme/api");
        assert_eq!(
            (&built.name, &built.qualifier),
            (&deployed.name, &deployed.qualifier)
        );
        assert_eq!(built.qualifier.as_deref(), Some(DIGEST));
        assert_eq!(built.hash.as_deref(), Some(DIGEST));
        assert_eq!(
            built.location.as_deref(),
            Some(format!("ghcr.io/acme/api:1.4.2@{DIGEST}").as_str())
        );
    }

    #[test]
    fn docker_references_are_read_as_docker_reads_them() {
        let q = |r: &str| {
            let i = container_reference(r).unwrap();
            (i.name, i.qualifier)
        };
        assert_eq!(
            q("nginx"),
            ("docker.io/library/nginx".into(), "latest".into())
        );
        assert_eq!(q("acme/api:2"), ("docker.io/acme/api".into(), "2".into()));
        assert_eq!(
            q("localhost:5000/api:dev"),
            ("localhost:5000/api".into(), "dev".into())
        );
        assert_eq!(
            q("registry.example.com:8443/team/api"),
            ("registry.example.com:8443/team/api".into(), "latest".into())
        );
        assert_eq!(
            q("docker://ghcr.io/acme/api:v1"),
            ("ghcr.io/acme/api".into(), "v1".into())
        );
        for bad in ["", "api:", "a b", "https://x/y", "api@nodigest", "/api"] {
            assert_eq!(container_reference(bad), None, "{bad}");
        }
    }

    #[test]
    fn other_types_and_fields() {
        let a = one(r#"output jar build/libs/api.jar qualifier=1.4.2 hash=sha256:9b"#);
        assert_eq!(a.kind, "jar");
        assert_eq!(a.name, "build/libs/api.jar");
        assert_eq!(a.location.as_deref(), Some("build/libs/api.jar"));
        assert_eq!(a.qualifier.as_deref(), Some("1.4.2"));
        assert_eq!(a.hash.as_deref(), Some("sha256:9b"));
        let a = one(r#"INPUT name="api bundle" qualifier=7 type=zip location=s3://b/k#x"#);
        assert_eq!((a.kind.as_str(), a.name.as_str()), ("zip", "api bundle"));
        assert_eq!(a.location.as_deref(), Some("s3://b/k#x"));
        // Fields win over what the reference gives.
        let a = one("output container ghcr.io/acme/api:1.4.2 name=api qualifier=release-7");
        assert_eq!(
            (a.name.as_str(), a.qualifier.as_deref()),
            ("api", Some("release-7"))
        );
    }

    #[test]
    fn comments_blanks_and_several_lines() {
        let v = parse(
            "# built by this run\n\noutput ghcr.io/acme/api:1  # the api\n  input nginx:1.27\n",
        )
        .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].name, "docker.io/library/nginx");
    }

    #[test]
    fn every_bad_line_is_named() {
        let e = parse("deploy ghcr.io/x\noutput\noutput a b c\noutput colour=red x\noutput \"x\n")
            .unwrap_err();
        assert_eq!(e.len(), 5, "{e:#?}");
        assert!(e[0].contains("line 1") && e[0].contains("`input` or `output`"));
        assert!(e[1].contains("line 2") && e[1].contains("names no artifact"));
        assert!(e[2].contains("more than a type"));
        assert!(e[3].contains("unknown field `colour`"));
        assert!(e[4].contains("unclosed"));
        assert!(e
            .iter()
            .all(|l| l.starts_with("input `artifacts`") && !l.contains('\n')));
        let e = parse("output container not:a:ref:").unwrap_err();
        assert!(e[0].contains("not a container image reference"), "{e:?}");
    }

    #[test]
    fn workflow_artifacts_are_outputs_named_by_their_digest() {
        let arts: Vec<model::Artifact> = serde_json::from_str(
            r#"[{"id":11,"name":"dist","archive_download_url":"https://api/zip/11","digest":"sha256:ab"},
                {"id":13,"name":"logs","archive_download_url":"https://api/zip/13"},
                {"id":14}]"#,
        )
        .unwrap();
        let a = from_workflow(&arts);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].kind, WORKFLOW_ARTIFACT);
        assert!(a[0].output && !a[0].input);
        assert_eq!(a[0].qualifier.as_deref(), Some("sha256:ab"));
        assert_eq!(a[0].hash.as_deref(), Some("sha256:ab"));
        assert_eq!(a[0].location.as_deref(), Some("https://api/zip/11"));
        assert_eq!(a[1].qualifier.as_deref(), Some("13"));
        assert_eq!(a[1].hash, None);
    }
}
