import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { commands, type CreditExceptionDto, type MoneyDto, type QueueEntryDto } from "../../ipc/bindings.ts";
import { call } from "../../ipc/call.ts";
import { keys } from "../../ipc/keys.ts";

const both = keys.credit(null);

/** Credit referrals and deposit waits, with the server's figures; live through `queue-changed`. */
export function useCreditExceptions() {
  return useQuery({ queryKey: both, queryFn: () => call(commands.listCreditExceptions(null)) });
}

/** Claim, release and the three decisions on one exception. */
export function useCreditActions(orderId: string) {
  const client = useQueryClient();
  const replace = (entry: QueueEntryDto) => {
    client.setQueryData<CreditExceptionDto[]>(both, (list) =>
      list?.map((exception) => (exception.entry.orderId === entry.orderId ? { ...exception, entry } : exception)),
    );
    void client.invalidateQueries({ queryKey: keys.queueList("all") });
  };
  const settle = async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: keys.queue }),
      client.invalidateQueries({ queryKey: keys.orders }),
    ]);
  };
  return {
    claim: useMutation({ mutationFn: () => call(commands.claimEntry(orderId, null)), onSuccess: replace }),
    release: useMutation({ mutationFn: () => call(commands.releaseEntry(orderId)), onSuccess: replace }),
    approve: useMutation({
      mutationFn: (reason: string) => call(commands.approveCredit(orderId, reason)),
      onSuccess: settle,
    }),
    requireDeposit: useMutation({
      mutationFn: (input: { amount: MoneyDto; reason: string }) =>
        call(commands.requireDeposit(orderId, input.amount, input.reason)),
      onSuccess: settle,
    }),
    decline: useMutation({
      mutationFn: (reason: string) => call(commands.declineCredit(orderId, reason)),
      onSuccess: settle,
    }),
  };
}
