// The list/watch option rules kube-apiserver checks before serving (apimachinery's
// ValidateListOptions for meta/internalversion, v1.32 with the WatchList feature on), so a client
// that mixes sendInitialEvents, resourceVersionMatch and continue wrongly is told so here too
// instead of getting a stream a real server would refuse: 422 `ListOptions.meta.k8s.io "" is invalid`.
import { invalid, type StatusCause } from './status.js';

const NOT_OLDER = 'NotOlderThan';
const EXACT = 'Exact';

export interface ListOptionsQuery {
  watch: boolean;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  sendInitialEvents?: string;
  continueToken?: string;
}

const forbidden = (field: string, detail: string): StatusCause => ({
  reason: 'FieldValueForbidden',
  field,
  message: `Forbidden: ${detail}`,
});

const notSupported = (field: string, value: string, supported: string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  field,
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
});

export function checkListOptions(o: ListOptionsQuery): void {
  const causes = o.watch ? watchCauses(o) : listCauses(o);
  if (causes.length > 0) throw invalid('ListOptions', 'meta.k8s.io', '', causes);
}

function listCauses(o: ListOptionsQuery): StatusCause[] {
  const out: StatusCause[] = [];
  const match = o.resourceVersionMatch;
  if (match) {
    if (!o.resourceVersion)
      out.push(
        forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'),
      );
    if (o.continueToken)
      out.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== EXACT && match !== NOT_OLDER)
      out.push(notSupported('resourceVersionMatch', match, [EXACT, NOT_OLDER, '']));
    if (match === EXACT && o.resourceVersion === '0')
      out.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (o.sendInitialEvents !== undefined)
    out.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return out;
}

function watchCauses(o: ListOptionsQuery): StatusCause[] {
  const out: StatusCause[] = [];
  const match = o.resourceVersionMatch;
  if (o.sendInitialEvents !== undefined && match !== NOT_OLDER)
    out.push(
      forbidden('resourceVersionMatch', `sendInitialEvents requires setting resourceVersionMatch to ${NOT_OLDER}`),
    );
  if (match) {
    if (o.sendInitialEvents === undefined)
      out.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
        ),
      );
    if (match !== NOT_OLDER) out.push(notSupported('resourceVersionMatch', match, [NOT_OLDER]));
    if (o.continueToken)
      out.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  }
  return out;
}
