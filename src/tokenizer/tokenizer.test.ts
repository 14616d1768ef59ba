import { describe, expect, test } from 'vitest';
import { ForesightError, InvalidArgumentError } from '../errors';
import { TextTokenizer } from './tokenizer';
import { byteLevelTokenizer, llamaTokenizer } from './testing/tiny-tokenizer';

describe('TextTokenizer', () => {
  test('llama-style: BOS from the post-processor, byte fallback round-trips any text', () => {
    const tok = new TextTokenizer(llamaTokenizer());
    const ids = tok.encodePrompt('the cat sat: €é中😀!');
    expect(ids[0]).toBe(1);
    expect(tok.addBos).toBe(true);
    expect(ids.map((id) => tok.tokenString(id))).toContain('<0xE2>');
    expect(tok.decode(ids)).toBe('the cat sat: €é中😀!');
    expect(tok.encode('the cat')).toEqual(ids.slice(1, 3));
  });

  test('add_bos_token in tokenizer_config.json overrides the post-processor', () => {
    const files = llamaTokenizer();
    expect(new TextTokenizer({ ...files, tokenizerConfig: { ...files.tokenizerConfig, add_bos_token: false } }).encodePrompt('the')).toEqual([
      new TextTokenizer(files).tokenId('▁the'),
    ]);
    const bl = byteLevelTokenizer();
    const withBos = new TextTokenizer({ ...bl, tokenizerConfig: { ...bl.tokenizerConfig, add_bos_token: true, bos_token: '<s>' } });
    expect(withBos.encodePrompt('a')[0]).toBe(1);
    expect(new TextTokenizer(bl).encodePrompt('a')).toEqual([withBos.tokenId('a')]);
  });

  test('EOS ids: generation_config.json first, then config.json, then eos_token', () => {
    const files = llamaTokenizer();
    expect(new TextTokenizer(files).eosTokenIds).toEqual([2, 4]);
    expect(new TextTokenizer({ ...files, generationConfig: {}, modelConfig: { eos_token_id: 3 } }).eosTokenIds).toEqual([3]);
    expect(new TextTokenizer({ ...files, generationConfig: undefined }).eosTokenIds).toEqual([2]);
  });

  test('special tokens are skipped when decoding, and recognised inside text', () => {
    const tok = new TextTokenizer(byteLevelTokenizer());
    const ids = tok.encode('<|im_start|>hello<|im_end|>');
    expect(ids[0]).toBe(3);
    expect(ids.at(-1)).toBe(4);
    expect(tok.decode(ids)).toBe('hello');
    expect(tok.decode(ids, { skipSpecialTokens: false })).toBe('<|im_start|>hello<|im_end|>');
  });

  test('chat template renders with the generation prompt and encodes without an extra BOS', () => {
    const tok = new TextTokenizer(llamaTokenizer());
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello' },
    ];
    expect(tok.renderChat(messages)).toBe('<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n');
    const ids = tok.encodeChat(messages);
    expect(ids[0]).toBe(tok.tokenId('<|im_start|>'));
    expect(ids).not.toContain(1);
  });

  test('a template that uses bos_token, and a list of named templates', () => {
    const files = llamaTokenizer();
    const config = {
      ...files.tokenizerConfig,
      chat_template: [
        { name: 'tool_use', template: 'TOOLS' },
        { name: 'default', template: "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}{% endfor %}" },
      ],
    };
    const tok = new TextTokenizer({ ...files, tokenizerConfig: config });
    expect(tok.renderChat([{ role: 'user', content: 'hi' }])).toBe('<s>[user] hi');
    expect(tok.encodeChat([{ role: 'user', content: 'hi' }])[0]).toBe(1);
    // The template writes the BOS itself; encoding must not add a second one.
    expect(tok.encodeChat([{ role: 'user', content: 'hi' }]).filter((t) => t === 1)).toHaveLength(1);
  });

  test('typed errors: bad tokenizer.json, no chat template, bad messages, template raise', () => {
    expect(() => new TextTokenizer({ tokenizerJson: { version: '1.0' } })).toThrow(/tokenizer.json: missing "model"/);
    expect(() => new TextTokenizer({ tokenizerJson: [] })).toThrow(ForesightError);
    const files = llamaTokenizer();
    const noTemplate = new TextTokenizer({ ...files, tokenizerConfig: { bos_token: '<s>' } });
    expect(() => noTemplate.encodeChat([{ role: 'user', content: 'x' }])).toThrow(/no chat_template/);
    const tok = new TextTokenizer(files);
    expect(() => tok.encodeChat([])).toThrow(InvalidArgumentError);
    expect(() => tok.encodeChat([{ role: 'user' } as never])).toThrow(/messages\[0\]/);
    const raising = new TextTokenizer({
      ...files,
      tokenizerConfig: { ...files.tokenizerConfig, chat_template: "{{ raise_exception('roles must alternate') }}" },
    });
    try {
      raising.encodeChat([{ role: 'user', content: 'x' }]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ForesightError);
      expect((err as ForesightError).code).toBe('tokenizer');
    }
  });
});
