//! The `instance register` command: creates a CI/CD instance in SEI (`POST
//! <base>/v1/cicd/instances` with `{"integration_id", "name", "type": "jenkins"}`, answered
//! `{"id": "<uuid>"}`) with `report`'s URL, auth and retry rules, prints its GUID (the
//! `instance-guid` every report names) and writes it as the `instance-guid` output. Exit code 0
//! when SEI gave a GUID, 1 when it did not, 2 for bad inputs.
//!
//! A retried POST whose first answer was lost may register a second instance: SEI then holds
//! an unused one, harmless, and the GUID printed is the one SEI answered.

use crate::args::RegisterArgs;
use crate::command::{Command, Context, Tokens};
use crate::config::{self, InputError, Register};
use crate::retry::SystemClock;
use crate::runner::Runner;
use crate::sei::{self, KeyKind};

impl Command for RegisterArgs {
    type Settings = Register;
    const NAME: &'static str = "instance register";

    fn tokens(&self) -> Tokens<'_> {
        Tokens {
            sei: &self.sei,
            github: None,
        }
    }

    fn load(&self, cx: &Context) -> Result<(Register, Vec<String>), Vec<InputError>> {
        let mut cfg = config::load_register(self, cx.env)?;
        let warnings = std::mem::take(&mut cfg.warnings);
        Ok((cfg, warnings))
    }

    async fn run(&self, cfg: Register, cx: &Context<'_>) -> u8 {
        let runner = &cx.runner;
        match post(&cfg, runner, &cx.clock).await {
            Ok(guid) => {
                runner.info(&format!(
                    "Registered the CI/CD instance \"{}\" for integration {}: instance-guid {guid}",
                    cfg.name, cfg.integration_id
                ));
                if runner.has_output_file() {
                    if let Err(e) = runner.set_outputs(&[("instance-guid", guid.clone())], false) {
                        runner.error(&format!(
                            "could not write the step outputs (GITHUB_OUTPUT): {e}"
                        ));
                    }
                }
                if !runner.in_actions() || !runner.has_output_file() {
                    // The GUID alone on stdout: `guid=$(sei-cicd instance register ...)`.
                    runner.row(&[&guid]);
                }
                0
            }
            Err(why) => {
                runner.error(&why);
                1
            }
        }
    }
}

/// The request body SEI's instances endpoint takes.
pub(crate) fn body(integration_id: &str, name: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "integration_id": integration_id,
        "name": name,
        "type": "jenkins",
    }))
    .unwrap_or_default()
}

/// The GUID in SEI's answer (`{"id": "<uuid>"}`), lower case and hyphenated.
pub(crate) fn guid(answer: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(answer).ok()?;
    let id = v.get("id")?.as_str()?;
    Some(uuid::Uuid::parse_str(id).ok()?.hyphenated().to_string())
}

async fn post(cfg: &Register, runner: &Runner, clock: &SystemClock) -> Result<String, String> {
    let d = &cfg.delivery;
    let url = sei::instances_url(&d.sei_endpoint);
    let client = crate::http::client(&d.ca_certs, crate::http::Redirects::Never)
        .map_err(|e| format!("{e:#}"))?;
    let hook = sei::Webhook {
        endpoint: &url,
        token: &d.sei_token,
        scheme: d.auth_scheme,
    };
    let waiting = |f: &sei::Failure, n: u32, wait| {
        runner.info(&d.policy.retry_line(format_args!("SEI: {f}"), n, wait))
    };
    let body = bytes::Bytes::from(body(&cfg.integration_id, &cfg.name));
    match sei::deliver(&client, &hook, &body, &d.policy, clock, waiting).await {
        Ok(answer) => guid(&answer.body).ok_or_else(|| {
            format!(
                "SEI answered HTTP {} at {url} without an instance id (`{}`): check that \
                     `sei-url` is your SEI API base",
                answer.status, answer.body
            )
        }),
        Err(failed) => Err(match &failed.error {
            sei::Failure::Status(a) if a.status == 400 || a.status == 404 && !a.body.is_empty() => {
                format!(
                    "SEI did not register the instance (HTTP {} at {url}): \"{}\". Check \
                     `integration-id` (`{}`): it must be the id of a custom CI/CD integration of \
                     this SEI account",
                    a.status,
                    a.message(),
                    cfg.integration_id
                )
            }
            _ => {
                let ctx = sei::Context {
                    endpoint: &url,
                    scheme: d.auth_scheme,
                    key: KeyKind::of(d.sei_token.expose()),
                    default_base: d.default_base,
                    timeout: d.policy.timeout,
                    body_len: body.len(),
                    contents: "the instance",
                };
                sei::explain(&failed, &ctx)
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_what_sei_takes() {
        let v: serde_json::Value = serde_json::from_slice(&body("4321", "GitHub Actions")).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"integration_id": "4321", "name": "GitHub Actions", "type": "jenkins"})
        );
    }

    #[test]
    fn the_guid_comes_from_the_answer() {
        assert_eq!(
            guid(r#"{"id":"89D2491C-764A-4F77-93D9-18E8E372B795"}"#).as_deref(),
            Some("89d2491c-764a-4f77-93d9-18e8e372b795")
        );
        assert_eq!(guid(r#"{"id":"x"}"#), None);
        assert_eq!(guid("accepted"), None);
    }

    #[test]
    fn the_url_is_beside_the_webhook() {
        assert_eq!(
            sei::instances_url("https://app.harness.io/gratis/sei/api/v1/custom-cicd"),
            "https://app.harness.io/gratis/sei/api/v1/cicd/instances"
        );
    }
}
