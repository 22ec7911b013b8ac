import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";

import { commands } from "../../ipc/bindings.ts";
import { call, describeError } from "../../ipc/call.ts";
import { keys } from "../../ipc/keys.ts";
import { formatTime } from "../../ipc/time.ts";
import { useDebouncedValue } from "./useDebouncedValue.ts";

/** A customer's installed products, where modify and cease orders start. */
export function InstalledProducts({
  onModify,
  onCease,
  starting,
}: {
  onModify: (productId: string) => void;
  onCease: (productId: string) => void;
  starting: boolean;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const customerId = useDebouncedValue(text.trim(), 300);
  const products = useQuery({
    queryKey: keys.customerProducts(customerId),
    queryFn: () => call(commands.listCustomerProducts(customerId)),
    enabled: customerId !== "",
  });

  let body;
  if (customerId === "") {
    body = <p className="muted">Enter the customer id (e.g. CUST-1001) to list what they have.</p>;
  } else if (products.isPending) {
    body = <p className="muted">Loading installed products…</p>;
  } else if (products.isError) {
    body = (
      <p className="error-text" role="alert">
        The products could not be listed: {describeError(products.error)} Check the customer id.
      </p>
    );
  } else if (products.data.length === 0) {
    body = <p className="muted">Customer {customerId} has no installed products.</p>;
  } else {
    body = (
      <table className="dense-table" data-testid="customer-products">
        <thead>
          <tr>
            <th>Product</th>
            <th>Offering</th>
            <th>Status</th>
            <th>Characteristics</th>
            <th>Address</th>
            <th>Contract end</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {products.data.map((product) => (
            <tr key={product.id} data-testid={`product-${product.id}`}>
              <td>
                {product.name}
                <div className="muted">{product.id}</div>
              </td>
              <td>{product.offeringId}</td>
              <td>{product.status}</td>
              <td>
                {product.characteristics.length === 0
                  ? "—"
                  : product.characteristics.map((c) => `${c.name}: ${c.value}`).join(", ")}
              </td>
              <td>{product.placeId ?? "—"}</td>
              <td>{formatTime(product.contractEnd)}</td>
              <td className="actions">
                <button
                  type="button"
                  data-testid={`modify-${product.id}`}
                  disabled={!product.live || starting}
                  title={product.live ? undefined : "The product is no longer live"}
                  onClick={() => {
                    onModify(product.id);
                  }}
                >
                  Modify
                </button>
                <button
                  type="button"
                  data-testid={`cease-${product.id}`}
                  disabled={!product.live || starting}
                  title={product.live ? undefined : "The product is no longer live"}
                  onClick={() => {
                    onCease(product.id);
                  }}
                >
                  Cease
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }

  return (
    <div className="installed-products">
      <label className="form-label" htmlFor={`${id}-customer`}>
        Customer id
      </label>
      <input
        id={`${id}-customer`}
        data-testid="customer-search"
        placeholder="CUST-…"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
        }}
      />
      {body}
    </div>
  );
}
