import { useId, useState, type SubmitEvent } from "react";

interface SignInScreenProps {
  /** Called with the trimmed operator id; checking it against the desk comes with the IPC layer. */
  onSignIn: (operatorId: string) => void;
}

/** Placeholder sign-in: asks for an operator id and hands it up. No credentials yet. */
export function SignInScreen({ onSignIn }: SignInScreenProps) {
  const inputId = useId();
  const [operatorId, setOperatorId] = useState("");
  const trimmed = operatorId.trim();

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (trimmed !== "") {
      onSignIn(trimmed);
    }
  }

  return (
    <form className="sign-in" onSubmit={submit} aria-labelledby={`${inputId}-title`}>
      <h2 id={`${inputId}-title`}>Sign in to the order desk</h2>
      <label htmlFor={inputId}>Operator ID</label>
      <input
        id={inputId}
        name="operatorId"
        autoComplete="username"
        value={operatorId}
        onChange={(event) => {
          setOperatorId(event.target.value);
        }}
      />
      <button type="submit" disabled={trimmed === ""}>
        Sign in
      </button>
    </form>
  );
}
