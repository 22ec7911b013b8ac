//! The failure rules: which service order items the simulator fails, and how.
//!
//! The format is `fixtures/som.json` (read by `orderdesk-fixtures` too), extended compatibly:
//!
//! ```json
//! {"failures": [{
//!     "cfs": "CFS:Static-IP",                 // required: the CFS specification id or name
//!     "address": "ADDR-DLF-0001",             // optional: only at this place id
//!     "characteristic": {"name": "ipBlock", "value": "/29"},  // optional: only with this value
//!     "code": "IP_POOL_EXHAUSTED",            // optional, default SERVICE_ACTIVATION_FAILED
//!     "reason": "No free /29 in the pool ...", // required
//!     "stage": "completion"                   // optional: "start" | "completion" (default)
//! }]}
//! ```
//!
//! The first rule that matches an item decides; a rule without conditions fails every item of
//! its CFS. `stage: "start"` fails the item instead of starting it (it never goes `inProgress`,
//! never passes its point of no return); `"completion"` lets it run and fails it instead of
//! completing it. Characteristic values compare as catalog text (`true`, `8`, `premium`), so
//! `"value": 8` and `"value": "8"` mean the same. Unknown fields are ignored.
//!
//! Pure: parsing takes the file's text; reading the file is the binary's business.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use orderdesk_tmf::tmf641::ServiceRefOrValue;

/// The error code of a failed item when its rule names none.
pub const DEFAULT_FAILURE_CODE: &str = "SERVICE_ACTIVATION_FAILED";

/// A rules document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// Not JSON, or a field of the wrong type. `field` is a JSON path (`failures[1].reason`).
    #[error("`{field}`: {message}")]
    Malformed { field: String, message: String },
    /// A field is present but unusable.
    #[error("`{field}`: {reason}")]
    Invalid { field: String, reason: String },
}

/// `som.json`: the failures the simulator injects.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FailureRules {
    #[serde(default)]
    pub failures: Vec<FailureRule>,
}

/// One failure rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureRule {
    /// The CFS specification, matched against `service.serviceSpecification.id` or `.name`.
    pub cfs: String,
    /// Only at this place (`service.place[].place.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Only when the service carries this characteristic value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub characteristic: Option<CharacteristicMatch>,
    /// The item error's machine-readable code ([`DEFAULT_FAILURE_CODE`] when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What the network says, for the back-office.
    pub reason: String,
    #[serde(default)]
    pub stage: FailureStage,
}

/// When a matching item fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureStage {
    /// Instead of starting: `acknowledged` → `failed`.
    Start,
    /// Instead of completing: `acknowledged` → `inProgress` → `failed`.
    #[default]
    Completion,
}

/// A characteristic value that makes a rule apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharacteristicMatch {
    pub name: String,
    /// Compared as catalog text; a JSON number or boolean is read as its text.
    #[serde(deserialize_with = "scalar_text")]
    pub value: String,
}

fn scalar_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let value = Value::deserialize(d)?;
    match value {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(catalog_text(&value)),
        other => Err(serde::de::Error::custom(format!(
            "expected a string, number or boolean, not {other}"
        ))),
    }
}

/// A JSON value as catalog text: strings as they are, `8.0` as `8`, `true` as `true`.
pub fn catalog_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                match n.as_f64() {
                    // Whole numbers below 2^53 print without a fraction, like the catalog's.
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{f:.0}"),
                    _ => n.to_string(),
                }
            }
        }
        other => other.to_string(),
    }
}

/// What a rule looks at in one service order item.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceFacts {
    /// `serviceSpecification.id` and `.name`, when present.
    pub specification: Vec<String>,
    /// `place[].place.id`.
    pub places: Vec<String>,
    /// `serviceCharacteristic[]` as (name, catalog text).
    pub characteristics: Vec<(String, String)>,
}

impl ServiceFacts {
    pub fn of(service: &ServiceRefOrValue) -> Self {
        let specification = service
            .service_specification
            .iter()
            .flat_map(|s| std::iter::once(s.id.clone()).chain(s.name.clone()))
            .collect();
        let places = service
            .place
            .iter()
            .flatten()
            .filter_map(|p| p.place.as_ref().and_then(|p| p.id.clone()))
            .collect();
        let characteristics = service
            .service_characteristic
            .iter()
            .flatten()
            .filter_map(|c| {
                let name = c.name()?.to_owned();
                let value = c.value_json()?;
                Some((name, catalog_text(&value)))
            })
            .collect();
        Self {
            specification,
            places,
            characteristics,
        }
    }
}

impl FailureRule {
    /// Whether this rule fails a service with these facts.
    pub fn matches(&self, facts: &ServiceFacts) -> bool {
        if !facts.specification.iter().any(|s| s == &self.cfs) {
            return false;
        }
        if let Some(address) = &self.address {
            if !facts.places.iter().any(|p| p == address) {
                return false;
            }
        }
        match &self.characteristic {
            None => true,
            Some(wanted) => facts
                .characteristics
                .iter()
                .any(|(name, value)| name == &wanted.name && value == &wanted.value),
        }
    }

    pub fn code(&self) -> &str {
        self.code.as_deref().unwrap_or(DEFAULT_FAILURE_CODE)
    }
}

impl FailureRules {
    /// No failures: every item completes.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads a rules document, naming the JSON path of the first misfit.
    pub fn parse(text: &str) -> Result<Self, RulesError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let rules: Self = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            RulesError::Malformed {
                field: if path == "." { String::new() } else { path },
                message: e.inner().to_string(),
            }
        })?;
        de.end().map_err(|e| RulesError::Malformed {
            field: String::new(),
            message: e.to_string(),
        })?;
        rules.check()?;
        Ok(rules)
    }

    fn check(&self) -> Result<(), RulesError> {
        for (i, rule) in self.failures.iter().enumerate() {
            let blank = |field: &str| RulesError::Invalid {
                field: format!("failures[{i}].{field}"),
                reason: "must not be empty".to_owned(),
            };
            if rule.cfs.trim().is_empty() {
                return Err(blank("cfs"));
            }
            if rule.reason.trim().is_empty() {
                return Err(blank("reason"));
            }
            if rule.code.as_deref().is_some_and(|c| c.trim().is_empty()) {
                return Err(blank("code"));
            }
        }
        Ok(())
    }

    /// The first rule that fails a service with these facts.
    pub fn failure_for(&self, facts: &ServiceFacts) -> Option<&FailureRule> {
        self.failures.iter().find(|r| r.matches(facts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(spec: &str, place: Option<&str>, chars: &[(&str, &str)]) -> ServiceFacts {
        ServiceFacts {
            specification: vec![spec.to_owned()],
            places: place.into_iter().map(str::to_owned).collect(),
            characteristics: chars
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn the_fixture_file_parses() {
        let text = include_str!("../../../fixtures/som.json");
        let rules = FailureRules::parse(text).unwrap();
        assert!(!rules.failures.is_empty());
        assert!(rules
            .failures
            .iter()
            .all(|r| r.stage == FailureStage::Completion));
    }

    #[test]
    fn rules_match_on_cfs_address_and_characteristic() {
        let rules = FailureRules::parse(
            &json!({"failures": [
                {"cfs": "CFS:A", "address": "ADDR-1", "reason": "at the address"},
                {"cfs": "CFS:B", "characteristic": {"name": "speed", "value": 8}, "code": "X",
                 "reason": "too fast", "stage": "start"},
                {"cfs": "CFS:C", "reason": "always"}
            ]})
            .to_string(),
        )
        .unwrap();
        let cases: &[(ServiceFacts, Option<&str>)] = &[
            (facts("CFS:A", Some("ADDR-1"), &[]), Some("at the address")),
            (facts("CFS:A", Some("ADDR-2"), &[]), None),
            (facts("CFS:A", None, &[]), None),
            (facts("CFS:B", None, &[("speed", "8")]), Some("too fast")),
            (facts("CFS:B", None, &[("speed", "16")]), None),
            (facts("CFS:B", None, &[("other", "8")]), None),
            (
                facts("CFS:C", Some("ADDR-9"), &[("x", "y")]),
                Some("always"),
            ),
            (facts("CFS:D", Some("ADDR-1"), &[]), None),
        ];
        for (f, expected) in cases {
            assert_eq!(
                rules.failure_for(f).map(|r| r.reason.as_str()),
                *expected,
                "{f:?}"
            );
        }
        assert_eq!(rules.failures[0].code(), DEFAULT_FAILURE_CODE);
        assert_eq!(rules.failures[1].code(), "X");
        assert_eq!(rules.failures[1].stage, FailureStage::Start);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (r#"{"failures": [{"cfs": "A"}]}"#, "failures[0]"),
            (
                r#"{"failures": [{"cfs": "A", "reason": "r", "stage": "later"}]}"#,
                "failures[0].stage",
            ),
            (
                r#"{"failures": [{"cfs": " ", "reason": "r"}]}"#,
                "failures[0].cfs",
            ),
            (
                r#"{"failures": [{"cfs": "A", "reason": "r", "characteristic": {"name": "n", "value": []}}]}"#,
                "failures[0].characteristic.value",
            ),
            (r#"{"failures": 3}"#, "failures"),
            (r#"{"failures": []} x"#, ""),
        ];
        for (text, field) in cases {
            let err = FailureRules::parse(text).unwrap_err();
            let got = match &err {
                RulesError::Malformed { field, .. } | RulesError::Invalid { field, .. } => field,
            };
            assert_eq!(got, field, "{text}: {err}");
        }
    }

    #[test]
    fn catalog_text_of_json_values() {
        assert_eq!(catalog_text(&json!("premium")), "premium");
        assert_eq!(catalog_text(&json!(8)), "8");
        assert_eq!(catalog_text(&json!(8.0)), "8");
        assert_eq!(catalog_text(&json!(2.5)), "2.5");
        assert_eq!(catalog_text(&json!(true)), "true");
    }
}
