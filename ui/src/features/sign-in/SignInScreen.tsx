import { useMutation } from "@tanstack/react-query";
import { useId, useState, type SubmitEvent } from "react";

import { commands, type SessionDto } from "../../ipc/bindings.ts";
import { call, describeError, whatToDo } from "../../ipc/call.ts";

/** The demo server's address (`scripts/run.sh` starts it there). */
const DEFAULT_SERVER_URL = "http://127.0.0.1:8622";

/** The demo users' tokens (fixtures/users.json), one click each. */
const DEMO_USERS = [
  { role: "agent", label: "Demo agent", token: "demo-agent-1" },
  { role: "backoffice", label: "Demo back office", token: "demo-backoffice-1" },
  { role: "supervisor", label: "Demo supervisor", token: "demo-supervisor-1" },
] as const;

const LAST_SERVER_KEY = "orderdesk.serverUrl";

function lastServerUrl(): string {
  try {
    return localStorage.getItem(LAST_SERVER_KEY) ?? DEFAULT_SERVER_URL;
  } catch {
    return DEFAULT_SERVER_URL;
  }
}

interface SignInScreenProps {
  /** Called with the session the desk opened. */
  onSignedIn: (session: SessionDto) => void;
}

/**
 * Sign-in: a server URL and a user's bearer token, checked by the desk (`signIn`), which asks
 * the server who the token is. Offline, a token that signed in on this desk before opens its
 * profile again. The role, and so the screens, come from the server.
 */
export function SignInScreen({ onSignedIn }: SignInScreenProps) {
  const id = useId();
  const [serverUrl, setServerUrl] = useState(lastServerUrl);
  const [token, setToken] = useState("");

  const signIn = useMutation({
    mutationFn: (input: { serverUrl: string; token: string }) =>
      call(commands.signIn(input.serverUrl, input.token)),
    onSuccess: (session, input) => {
      try {
        localStorage.setItem(LAST_SERVER_KEY, input.serverUrl);
      } catch {
        // A desk without storage simply offers the default next time.
      }
      onSignedIn(session);
    },
  });

  const url = serverUrl.trim();
  const trimmedToken = token.trim();
  const ready = url !== "" && trimmedToken !== "" && !signIn.isPending;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (ready) {
      signIn.mutate({ serverUrl: url, token: trimmedToken });
    }
  }

  return (
    <form
      className="sign-in"
      onSubmit={submit}
      aria-labelledby={`${id}-title`}
      aria-busy={signIn.isPending}
      data-testid="sign-in-form"
    >
      <h2 id={`${id}-title`}>Sign in to the order desk</h2>
      <label htmlFor={`${id}-server`}>Server URL</label>
      <input
        id={`${id}-server`}
        name="serverUrl"
        type="text"
        inputMode="url"
        autoComplete="url"
        spellCheck={false}
        value={serverUrl}
        data-testid="sign-in-server"
        onChange={(event) => {
          setServerUrl(event.target.value);
        }}
      />
      <label htmlFor={`${id}-token`}>User token</label>
      <input
        id={`${id}-token`}
        name="token"
        type="password"
        autoComplete="current-password"
        spellCheck={false}
        value={token}
        data-testid="sign-in-token"
        onChange={(event) => {
          setToken(event.target.value);
        }}
      />
      <button type="submit" className="primary" disabled={!ready} data-testid="sign-in-submit">
        {signIn.isPending ? "Signing in…" : "Sign in"}
      </button>

      <fieldset className="sign-in-demo" disabled={signIn.isPending || url === ""}>
        <legend>Demo users</legend>
        {DEMO_USERS.map((demo) => (
          <button
            key={demo.token}
            type="button"
            title={`Sign in with ${demo.token}`}
            data-testid={`sign-in-demo-${demo.role}`}
            onClick={() => {
              setToken(demo.token);
              signIn.mutate({ serverUrl: url, token: demo.token });
            }}
          >
            {demo.label}
          </button>
        ))}
      </fieldset>

      {signIn.isError && (
        <div className="notice error" role="alert" data-testid="sign-in-error">
          <strong>Sign-in failed: {describeError(signIn.error)}</strong>
          {whatToDo(signIn.error) !== null && <p>{whatToDo(signIn.error)}</p>}
        </div>
      )}
    </form>
  );
}
