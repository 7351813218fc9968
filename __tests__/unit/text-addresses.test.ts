import { describe, expect, test } from '@jest/globals';
import { InternalAddresses, registryHost } from '../../src/text/addresses.js';

describe('internal addresses in public text', () => {
  const addresses = new InternalAddresses();
  addresses.add('gateway', 'https://gw.example.com:8443/base');
  addresses.add('s3-endpoint', 'http://10.0.0.5:9000');
  addresses.add('database', 'postgres://app:pw@db.internal:5432/app');
  addresses.add('registry', 'registry.internal:5000');
  addresses.add('gateway', 'http://previews.example.com', 'previews.example.com'); // the preview URL's own host

  test('every form of a registered address is replaced by its placeholder', () => {
    expect(addresses.redact('GET https://gw.example.com:8443/system/info answered 401')).toBe(
      'GET <gateway>/system/info answered 401',
    );
    expect(addresses.redact('connect ECONNREFUSED 10.0.0.5:9000; host 10.0.0.5')).toBe(
      'connect ECONNREFUSED <s3-endpoint>; host <s3-endpoint>',
    );
    expect(addresses.redact('db.internal:5432 and DB.INTERNAL')).toBe('<database> and <database>');
    expect(addresses.redact('registry.internal:5000/acme/api:pr-1')).toBe('<registry>/acme/api:pr-1');
  });

  test('not inside a longer host name, not the preview URL, not a one-label word', () => {
    expect(addresses.redact('https://pr-1.gw.example.com/ and gw.example.community')).toBe(
      'https://pr-1.gw.example.com/ and gw.example.community',
    );
    expect(addresses.redact('https://pr-1.previews.example.com/ http://previews.example.com/x')).toBe(
      'https://pr-1.previews.example.com/ http://previews.example.com/x',
    );
    const local = new InternalAddresses();
    local.add('gateway', 'http://gateway:8080');
    expect(local.redact('the OpenFaaS gateway at http://gateway:8080')).toBe('the OpenFaaS gateway at <gateway>');
  });

  test("an image's registry host, by Docker's rule", () => {
    expect(registryHost('127.0.0.1:5000/acme/api')).toBe('127.0.0.1:5000');
    expect(registryHost('ghcr.io/acme/api')).toBe('ghcr.io');
    expect(registryHost('acme/api')).toBeUndefined();
    expect(registryHost('api')).toBeUndefined();
  });
});
