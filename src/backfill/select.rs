//! Which repositories and workflows a backfill reads: the repositories named, or every one of an
//! organization the token sees (`GET /orgs/{org}/repos`, a user's when the name is not an
//! organization, or `GET /installation/repositories` for a GitHub App installation token),
//! narrowed by `include`/`exclude` patterns; then, in each repository, the workflows `workflow`
//! names, by file or by name. The matching is pure; the listing is a thin shell over the client.

use crate::config::backfill::Selection;
use crate::github::client::GitHub;
use crate::github::error::Error;
use crate::glob;
use crate::model::{Repo, Repository, Workflow};

/// Repositories and the ones the patterns left out.
pub(crate) struct Repositories {
    pub chosen: Vec<Repo>,
    /// Listed but left out by `include`/`exclude`.
    pub left_out: usize,
    /// Where the list came from, for the log.
    pub source: String,
    /// Each listed repository's default branch (`owner/name` lower-cased): a run of it is a
    /// branch's, never a tag's, with no look-up.
    pub default_branches: std::collections::HashMap<String, String>,
}

/// Whether `repo` passes `include` (any of them; all when empty) and no `exclude`.
pub(crate) fn wanted(repo: &Repo, include: &[String], exclude: &[String]) -> bool {
    let name = repo.to_string();
    (include.is_empty() || include.iter().any(|g| glob::matches(g, &name)))
        && !exclude.iter().any(|g| glob::matches(g, &name))
}

/// The workflows of a repository that `wanted` names (file name, path or name; any case), or
/// `None` when no filter is given (every workflow).
pub(crate) fn workflows<'a>(all: &'a [Workflow], wanted: &[String]) -> Option<Vec<&'a Workflow>> {
    if wanted.is_empty() {
        return None;
    }
    Some(
        all.iter()
            .filter(|w| wanted.iter().any(|name| names(w, name)))
            .collect(),
    )
}

fn names(w: &Workflow, wanted: &str) -> bool {
    let wanted = wanted.trim();
    let path = w.path.as_deref().unwrap_or_default();
    let file = path.rsplit('/').next().unwrap_or(path);
    [path, file, w.name.as_deref().unwrap_or_default()]
        .iter()
        .any(|n| !n.is_empty() && n.eq_ignore_ascii_case(wanted))
        || w.id.is_some_and(|id| id.to_string() == wanted)
}

/// A GitHub App installation token (`ghs_...`) lists its repositories at
/// `/installation/repositories`; any other token an organization's at `/orgs/{org}/repos`.
pub(crate) fn is_installation_token(token: &str) -> bool {
    token.starts_with("ghs_")
}

/// The repositories to backfill: those named, and those of the organization, each once, in
/// name order, narrowed by the patterns.
pub(crate) async fn repositories(
    gh: &GitHub,
    select: &Selection,
    installation: bool,
) -> Result<Repositories, String> {
    let mut listed: Vec<Repo> = select.repositories.clone();
    let mut source = match listed.len() {
        0 => String::new(),
        n => format!("{n} named"),
    };
    let mut default_branches = std::collections::HashMap::new();
    if let Some(org) = &select.organization {
        let (found, from) = organization(gh, org, installation).await?;
        if !source.is_empty() {
            source.push_str(" and ");
        }
        source.push_str(&format!("{} from {from}", found.len()));
        for (repo, branch) in found {
            if let Some(b) = branch {
                default_branches.insert(repo.to_string().to_ascii_lowercase(), b);
            }
            listed.push(repo);
        }
    }
    listed.sort_by_key(|r| r.to_string().to_ascii_lowercase());
    listed.dedup_by_key(|r| r.to_string().to_ascii_lowercase());
    let total = listed.len();
    let chosen: Vec<Repo> = listed
        .into_iter()
        .filter(|r| wanted(r, &select.include, &select.exclude))
        .collect();
    Ok(Repositories {
        left_out: total - chosen.len(),
        chosen,
        source,
        default_branches,
    })
}

async fn organization(
    gh: &GitHub,
    org: &str,
    installation: bool,
) -> Result<(Vec<(Repo, Option<String>)>, String), String> {
    let of_org = |r: &Repository| {
        r.full_name
            .as_deref()
            .and_then(Repo::parse)
            .filter(|repo| repo.owner.eq_ignore_ascii_case(org))
            .map(|repo| (repo, r.default_branch.clone().filter(|b| !b.is_empty())))
    };
    if installation {
        let mut out = Vec::new();
        for page in 1..=1000 {
            let p = gh.installation_repos(page).await.map_err(|e| {
                format!("could not list the repositories of the GitHub App installation: {e}")
            })?;
            let n = p.repositories.len() as u64;
            out.extend(p.repositories.iter().filter_map(of_org));
            // `total_count` spares the empty page after a full last one.
            let seen = (page - 1) * crate::github::pages::PER_PAGE + n;
            if n < crate::github::pages::PER_PAGE || p.total_count.is_some_and(|t| seen >= t) {
                break;
            }
        }
        return Ok((out, format!("the GitHub App installation on {org}")));
    }
    let mut user = false;
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        match gh.owner_repos(org, page, user).await {
            Ok(list) => {
                let n = list.len() as u64;
                out.extend(list.iter().filter_map(of_org));
                if n < crate::github::pages::PER_PAGE || page >= 1000 {
                    break;
                }
                page += 1;
            }
            Err(e) if !user && page == 1 && matches!(&e, Error::Status(r) if r.status == 404) => {
                user = true; // not an organization: a user's repositories
            }
            Err(e) => {
                return Err(format!(
                    "could not list the repositories of `{org}` (`organization`): {e}"
                ))
            }
        }
    }
    let kind = if user { "user" } else { "organization" };
    Ok((out, format!("the {kind} {org}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(s: &str) -> Repo {
        Repo::parse(s).unwrap()
    }

    #[test]
    fn include_then_exclude() {
        let inc = vec!["acme/api-*".to_owned(), "acme/web".to_owned()];
        let exc = vec!["*-archive".to_owned()];
        assert!(wanted(&repo("acme/api-gateway"), &inc, &exc));
        assert!(wanted(&repo("acme/web"), &inc, &exc));
        assert!(!wanted(&repo("acme/api-archive"), &inc, &exc));
        assert!(!wanted(&repo("acme/docs"), &inc, &exc));
        assert!(wanted(&repo("acme/docs"), &[], &exc), "no include: all");
    }

    #[test]
    fn workflows_by_file_path_name_or_id() {
        let w = |id: u64, name: &str, path: &str| Workflow {
            id: Some(id),
            name: Some(name.into()),
            path: Some(path.into()),
            state: Some("active".into()),
        };
        let all = [
            w(1, "CI", ".github/workflows/ci.yml"),
            w(2, "Deploy", ".github/workflows/deploy.yml"),
            w(3, "CodeQL", "dynamic/github-code-scanning/codeql"),
        ];
        let ids = |wanted: &[&str]| {
            let wanted: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
            workflows(&all, &wanted).map(|v| v.iter().map(|w| w.id.unwrap()).collect::<Vec<_>>())
        };
        assert_eq!(ids(&[]), None);
        assert_eq!(ids(&["ci.yml"]), Some(vec![1]));
        assert_eq!(ids(&["deploy"]), Some(vec![2]));
        assert_eq!(
            ids(&[".github/workflows/deploy.yml", "codeql"]),
            Some(vec![2, 3])
        );
        assert_eq!(ids(&["3"]), Some(vec![3]));
        assert_eq!(ids(&["lint.yml"]), Some(vec![]));
    }
}
