import { useState } from "react";

import { SignInScreen } from "./features/sign-in/SignInScreen.tsx";

/** The app frame: composes the feature screens, which never import each other. */
export function App() {
  const [operatorId, setOperatorId] = useState<string | null>(null);

  return (
    <div className="app">
      <header className="app-header">
        <h1>Orderdesk</h1>
        {operatorId !== null && <span className="app-operator">Signed in as {operatorId}</span>}
      </header>
      <main className="app-main">
        {operatorId === null ? (
          <SignInScreen onSignIn={setOperatorId} />
        ) : (
          <p className="app-placeholder">The order desk opens here.</p>
        )}
      </main>
    </div>
  );
}
